import type { ServerConfig } from './config.js'
import { sampledLogprob, topLogprobs } from './logprobs.js'

const encoder = new TextEncoder()

/** Alternatives are drawn from Qwen3's regular vocabulary (ids below the added control tokens). */
const VOCAB = 151643

/** `-1` asks for every token; the mock shows the 20 most likely (the list is synthetic past those anyway). */
const countOf = (top: number): number => (top === -1 ? 20 : top)

/** The synthetic logprob of each id (what the server records and sends). */
export function logprobValues(seed: number, ids: readonly number[], start = 0): number[] {
  return ids.map((id, i) => sampledLogprob(seed, start + i, id))
}

function tokenView(config: ServerConfig, id: number): { token: string; bytes: number[] } {
  const token = config.tokenizer.decode([id])
  return { token, bytes: [...encoder.encode(token)] }
}

/** Chat shape: `{content: [{token, logprob, bytes, top_logprobs}]}`, one entry per id, positions from `start`. */
export function chatLogprobs(
  config: ServerConfig,
  ids: readonly number[],
  top: number,
  start = 0
): { content: Array<Record<string, unknown>> } {
  const vocab = VOCAB
  return {
    content: ids.map((id, i) => ({
      ...tokenView(config, id),
      logprob: sampledLogprob(config.seed, start + i, id),
      top_logprobs: topLogprobs(config.seed, start + i, id, countOf(top), vocab).map((alt) => ({
        ...tokenView(config, alt.id),
        logprob: alt.logprob,
      })),
    })),
  }
}

/** Python's `len()` of a string: code points, not UTF-16 units. */
export const pyLen = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * Completions shape: `{text_offset, token_logprobs, tokens, top_logprobs}`; `top` alternatives besides the sampled
 * id. `text_offset` starts at `offset` (characters already sent) and advances by each token's decoded length.
 */
export function completionLogprobs(
  config: ServerConfig,
  ids: readonly number[],
  top: number,
  start = 0,
  offset = 0
): Record<string, unknown> {
  const tokens = ids.map((id) => config.tokenizer.decode([id]))
  const textOffset: number[] = []
  let at = offset
  for (const token of tokens) {
    textOffset.push(at)
    at += pyLen(token)
  }
  return {
    text_offset: textOffset,
    token_logprobs: logprobValues(config.seed, ids, start),
    tokens,
    top_logprobs: ids.map((id, i) =>
      Object.fromEntries(
        topLogprobs(config.seed, start + i, id, countOf(top) + 1, VOCAB).map((alt) => [
          config.tokenizer.decode([alt.id]),
          alt.logprob,
        ])
      )
    ),
  }
}

/** Prompt logprobs are drawn from their own stream so they never equal the sampled ones by construction. */
const PROMPT_SALT = 0x2545f491

/**
 * `prompt_logprobs`: one entry per prompt id, the first `null` (nothing predicts it), then
 * `{ "<id>": {logprob, rank, decoded_token} }` for the prompt id followed by the `top` most likely ids.
 */
export function promptLogprobs(
  config: ServerConfig,
  promptIds: readonly number[],
  top: number
): Array<Record<string, { logprob: number; rank: number; decoded_token: string }> | null> {
  const seed = config.seed ^ PROMPT_SALT
  const count = countOf(top)
  return promptIds.map((id, position) => {
    if (position === 0) return null
    const ranked = topLogprobs(seed, position, id, count + 2, VOCAB)
    const entry = (alt: { id: number; logprob: number }, rank: number) => ({
      logprob: alt.logprob,
      rank,
      decoded_token: config.tokenizer.decode([alt.id]),
    })
    const own = ranked.findIndex((alt) => alt.id === id)
    const out: Record<string, { logprob: number; rank: number; decoded_token: string }> = {
      [String(id)]: entry(ranked[own] ?? { id, logprob: -9999 }, own + 1),
    }
    for (const [i, alt] of ranked.slice(0, count).entries()) out[String(alt.id)] ??= entry(alt, i + 1)
    return out
  })
}
