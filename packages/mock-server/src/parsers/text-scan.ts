/** Length of the longest suffix of `text` that is a proper prefix of `tag` (a tag that may still be arriving). */
export function partialTagOverlap(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n
  }
  return 0
}

/**
 * The JSON value starting at `text[0]` (`{…}` or `[…]`) by bracket matching that ignores brackets inside strings;
 * the whole text when still unbalanced (a value that is still streaming).
 */
export function balancedPrefix(text: string): string {
  const open = text[0]
  const close = open === '{' ? '}' : ']'
  let depth = 0
  let inString = false
  let escaped = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === open) depth++
    else if (c === close && --depth === 0) return text.slice(0, i + 1)
  }
  return text
}

/** `json.loads` succeeds. */
export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
