/** Python's `str.isspace` (what vLLM's `strip()`/`lstrip()` remove), by UTF-16 code unit. */
export function isPySpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13) || (code >= 28 && code <= 31)
  if (code < 0x85) return false
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  )
}

/** Index of the first character at or after `from` that is not Python whitespace (`text.length` if none). */
export function skipPySpace(text: string, from = 0): number {
  let i = from
  while (i < text.length && isPySpace(text.charCodeAt(i))) i++
  return i
}

/** `text.strip()` as Python does it. */
export function pyStrip(text: string): string {
  let end = text.length
  while (end > 0 && isPySpace(text.charCodeAt(end - 1))) end--
  return text.slice(skipPySpace(text), end)
}
