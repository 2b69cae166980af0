import type { Tokenizer } from '@strands-vllm/tokenizer'

/** GPT-2 byte-level alphabet: vocabulary character → byte. */
const BYTE_OF_CHAR: ReadonlyMap<string, number> = (() => {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)
  const map = new Map<string, number>()
  let extra = 0
  for (let b = 0; b < 256; b++) map.set(String.fromCharCode(printable(b) ? b : 256 + extra++), b)
  return map
})()

/**
 * The text vLLM streams per id with `skip_special_tokens` (its incremental detokenizer): special ids add
 * nothing, added tokens such as `<think>` add their text, and a character split across ids appears with the
 * id that completes it. The pieces concatenate to `decode(ids, { skipSpecialTokens: true })`.
 */
export function serverTextPieces(tokenizer: Tokenizer, ids: readonly number[]): string[] {
  const decoder = new TextDecoder('utf-8')
  const encoder = new TextEncoder()
  const pieces = ids.map((id) => {
    if (tokenizer.isSpecial(id)) return ''
    const token = tokenizer.idToToken(id) ?? ''
    const bytes: number[] = []
    for (const ch of token) {
      const b = BYTE_OF_CHAR.get(ch)
      if (b === undefined) bytes.push(...encoder.encode(ch))
      else bytes.push(b)
    }
    return decoder.decode(Uint8Array.from(bytes), { stream: true })
  })
  const tail = decoder.decode()
  if (tail && pieces.length > 0) pieces[pieces.length - 1] += tail
  return pieces
}
