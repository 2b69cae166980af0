/** Make a byte-level vocabulary piece readable: `Ġ` → `␣`, `Ċ` → `↵`, `ĉ` → `⇥`, other controls escaped. */
export function displayPiece(piece: string): string {
  let out = ''
  for (const ch of piece) {
    if (ch === 'Ġ' || ch === ' ') out += '␣'
    else if (ch === 'Ċ' || ch === '\n') out += '↵'
    else if (ch === 'ĉ' || ch === '\t') out += '⇥'
    else if (ch === '\r' || ch === 'č') out += '␍'
    else {
      const code = ch.codePointAt(0) as number
      out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch
    }
  }
  return out
}

/** Text shown on one line: newlines and tabs made visible, long text cut in the middle. */
export function displayText(text: string, max = 80): string {
  const shown = text.replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍')
  if (shown.length <= max) return shown
  const half = Math.floor((max - 1) / 2)
  return `${shown.slice(0, half)}…${shown.slice(shown.length - half)}`
}
