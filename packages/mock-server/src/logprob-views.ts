import type { ServerConfig } from './config.js'
import { sampledLogprob, topLogprobs } from './logprobs.js'

const encoder = new TextEncoder()

/** Alternatives are drawn from Qwen3's regular vocabulary (ids below the added control tokens). */
const VOCAB = 151643

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
      top_logprobs: topLogprobs(config.seed, start + i, id, top, vocab).map((alt) => ({
        ...tokenView(config, alt.id),
        logprob: alt.logprob,
      })),
    })),
  }
}

/** Completions shape: `{tokens, token_logprobs, top_logprobs, text_offset}`; `top` alternatives besides the sampled id. */
export function completionLogprobs(
  config: ServerConfig,
  ids: readonly number[],
  pieces: readonly string[],
  top: number,
  start = 0,
  offset = 0
): Record<string, unknown> {
  const vocab = VOCAB
  const textOffset: number[] = []
  let at = offset
  for (const piece of pieces) {
    textOffset.push(at)
    at += piece.length
  }
  return {
    tokens: ids.map((id) => config.tokenizer.decode([id])),
    token_logprobs: logprobValues(config.seed, ids, start),
    top_logprobs: ids.map((id, i) =>
      Object.fromEntries(
        topLogprobs(config.seed, start + i, id, top + 1, vocab).map((alt) => [
          config.tokenizer.decode([alt.id]),
          alt.logprob,
        ])
      )
    ),
    text_offset: textOffset,
  }
}
