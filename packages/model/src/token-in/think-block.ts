/** Byte-level (GPT-2 style) and SentencePiece spellings of whitespace inside token strings. */
const WHITESPACE_PIECES = /[\sĠĊĉč▁]|<0x0[9AD]>|<0x20>/g

/**
 * Whether a prompt ends inside an open think block, from the token strings of its tail: the last non-whitespace
 * text is `<think>` (Qwen3-Thinking-2507 and Qwen3.5 generation prompts). `undefined` when the strings are unknown.
 */
export function endsInOpenThink(tokenStrs: readonly string[] | undefined): boolean | undefined {
  if (!tokenStrs) return undefined
  const tail = tokenStrs.slice(-8).join('').replace(WHITESPACE_PIECES, '')
  return tail.endsWith('<think>')
}
