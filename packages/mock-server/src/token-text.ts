import type { Tokenizer } from '@strands-vllm/tokenizer'

/** GPT-2 byte-level alphabet: vocabulary character → byte. */
const BYTE_OF_CHAR: ReadonlyMap<string, number> = (() => {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)
  const map = new Map<string, number>()
  let extra = 0
  for (let b = 0; b < 256; b++) map.set(String.fromCharCode(printable(b) ? b : 256 + extra++), b)
  return map
})()

const encoder = new TextEncoder()

/** The raw bytes one id stands for (empty for a skipped special token). */
function tokenBytes(tokenizer: Tokenizer, id: number, skipSpecialTokens: boolean): Uint8Array {
  if (skipSpecialTokens && tokenizer.isSpecial(id)) return new Uint8Array(0)
  const piece = tokenizer.idToToken(id) ?? ''
  const bytes: number[] = []
  for (const ch of piece) {
    const b = BYTE_OF_CHAR.get(ch)
    if (b === undefined) bytes.push(...encoder.encode(ch))
    else bytes.push(b)
  }
  return Uint8Array.from(bytes)
}

/**
 * Detokenize incrementally, like vLLM's detokenizer: the text each id adds, holding back incomplete UTF-8
 * sequences until they complete. The pieces concatenate to `decode(ids)`.
 */
export function textPieces(tokenizer: Tokenizer, ids: readonly number[], skipSpecialTokens: boolean): string[] {
  const decoder = new TextDecoder('utf-8')
  const pieces = ids.map((id) => decoder.decode(tokenBytes(tokenizer, id, skipSpecialTokens), { stream: true }))
  const tail = decoder.decode()
  if (tail && pieces.length > 0) pieces[pieces.length - 1] += tail
  return pieces
}
