/**
 * What the analysis needs from a tokenizer. The shipped `HfChatTokenizer` fits as is (sync);
 * `VLLMServerTokenizer` fits too (async), so every analysis function awaits whatever it gets.
 */
export interface AnalysisTokenizer {
  readonly name: string
  /** Ids that end a generation; a trailing one is stripped before a response is re-encoded. */
  readonly eosTokenIds: readonly number[]
  /** Encode text with special-token strings recognised (as vLLM does), without BOS/post-processor specials. */
  encode(text: string): number[] | Promise<number[]>
  /** Decode without skipping specials, so control tokens stay visible. */
  decode(ids: readonly number[]): string | Promise<string>
  /** The vocabulary piece of one id; used to show tokens. */
  idToToken?(id: number): string | undefined
  /** Whether an id is a control token; without it only `eosTokenIds` count as special. */
  isSpecial?(id: number): boolean
  /** Pieces of many ids at once, for tokenizers that have no local vocabulary (a server). */
  pieces?(ids: readonly number[]): string[] | Promise<string[]>
}

/** The display pieces of `ids`: vocabulary pieces when the tokenizer has them, else each id decoded alone. */
export async function tokenPieces(tokenizer: AnalysisTokenizer, ids: readonly number[]): Promise<string[]> {
  if (tokenizer.idToToken) {
    const out = new Array<string>(ids.length)
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number
      out[i] = tokenizer.idToToken(id) ?? `<${id}>`
    }
    return out
  }
  if (tokenizer.pieces) return tokenizer.pieces(ids)
  return Promise.all(ids.map((id) => tokenizer.decode([id])))
}

/** Whether `id` is a control token for `tokenizer`. */
export function isSpecialId(tokenizer: AnalysisTokenizer, id: number): boolean {
  return tokenizer.isSpecial ? tokenizer.isSpecial(id) : tokenizer.eosTokenIds.includes(id)
}

/** `decode`, except that no ids decode to '' without asking the tokenizer (some reject empty input). */
export async function decodeIds(tokenizer: AnalysisTokenizer, ids: readonly number[]): Promise<string> {
  return ids.length === 0 ? '' : tokenizer.decode(ids)
}

/** `encode`, except that '' encodes to no ids without asking the tokenizer. */
export async function encodeText(tokenizer: AnalysisTokenizer, text: string): Promise<number[]> {
  return text === '' ? [] : tokenizer.encode(text)
}
