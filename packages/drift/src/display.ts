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

/**
 * Text from the data (rollout ids, finish reasons) made safe for a terminal: C0/C1 control characters,
 * DEL and bidi overrides are written as `\xNN` / `\u{NNNN}`, so a record can never inject ANSI escapes.
 */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    const code = ch.codePointAt(0) as number
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}
