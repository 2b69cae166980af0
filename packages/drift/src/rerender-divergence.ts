import type { DivergenceCause } from '@strands-vllm/tito'
import { type AnalysisTokenizer, decodeIds, tokenPieces } from './analysis-tokenizer.js'
import type { DriftCallRecord } from './call-record.js'
import { diffIds } from './diff-ids.js'

/**
 * Why a prompt stops extending the previous call's prompt + sampled ids: `@strands-vllm/tito`'s
 * classified causes (`reasoning_stripped`, `tool_call_reserialized`, `retokenization`,
 * `separator_missing`, `template_changed`, `history_rewritten`, `truncated_previous`, `unknown`).
 */
export type RerenderCause = DivergenceCause

/** A slice of one sequence, shown around a divergence. */
export interface IdWindow {
  /** Index of `ids[0]` in the full sequence. */
  start: number
  ids: number[]
  pieces: string[]
  text: string
}

/** Where a re-rendered prompt stops extending what the model saw and produced on the previous call. */
export interface RerenderDivergence {
  callIndex: number
  previousCallIndex: number
  /** Index in this call's prompt (= in previous prompt + previous ids) of the first differing token. */
  index: number
  /** `index` minus the previous prompt's length: the position inside the previous call's sampled ids, or negative. */
  generatedOffset: number
  /** How many of the previous call's sampled ids the new prompt does not reproduce. */
  sampledLost: number
  /**
   * Positions in previous prompt + sampled ids, from `index` on, that the new prompt does not reproduce
   * (an id-level diff against the new prompt): exactly what the template rewrote or dropped.
   */
  rewritten: number[]
  cause: RerenderCause
  /** The builder's one-sentence explanation. */
  detail: string
  /** What the model saw/produced (previous prompt + sampled ids), and what the template rendered, around `index`. */
  held: IdWindow
  rendered: IdWindow
}

/**
 * A divergence as `@strands-vllm/tito`'s trajectory builder reports it (its `Divergence` fits):
 * `index` is absolute, the same in previous prompt + response and in the new prompt.
 */
export interface BuilderDivergence {
  callIndex: number
  /** The call whose prompt + response was extended; defaults to the preceding call of the rollout. */
  previousCallIndex?: number | undefined
  index: number
  cause: DivergenceCause
  detail?: string | undefined
}

export interface RerenderOptions {
  /** Tokens shown before the divergence. Default 6. */
  before?: number
  /** Tokens shown from the divergence on. Default 12. */
  after?: number
}

/** Extra new-prompt tokens compared beyond the held length, so a rewrite that lengthens text still aligns. */
const REWRITE_SLACK = 64

/**
 * Build the windows for a divergence whose index and cause are already known (e.g. from the trajectory
 * builder). `counts` (scans) skips the windows and the rewrite diff: only the counts are kept.
 */
export async function describeDivergence(
  previous: DriftCallRecord,
  next: DriftCallRecord,
  divergence: BuilderDivergence,
  tokenizer: AnalysisTokenizer,
  options: RerenderOptions & { counts?: boolean } = {}
): Promise<RerenderDivergence> {
  const { index, cause } = divergence
  const held = heldSequence(previous) ?? []
  const prompt = next.promptTokenIds ?? []
  const before = options.before ?? 6
  const after = options.after ?? 12
  const promptLength = previous.promptTokenIds?.length ?? 0
  const empty: IdWindow = { start: index, ids: [], pieces: [], text: '' }
  const [heldWindow, renderedWindow] = options.counts
    ? [empty, empty]
    : await Promise.all([
        idWindow(tokenizer, held, index - before, index + after),
        idWindow(tokenizer, prompt, index - before, index + after),
      ])
  const tail = held.slice(index)
  const rewritten = options.counts
    ? []
    : diffIds(tail, prompt.slice(index, index + tail.length + REWRITE_SLACK)).a.map((i) => index + i)
  return {
    callIndex: next.callIndex,
    previousCallIndex: previous.callIndex,
    index,
    generatedOffset: index - promptLength,
    sampledLost: Math.min(previous.tokenIds?.length ?? 0, held.length - index),
    rewritten,
    cause,
    detail: divergence.detail ?? '',
    held: heldWindow,
    rendered: renderedWindow,
  }
}

function heldSequence(record: DriftCallRecord): number[] | undefined {
  if (!record.promptTokenIds || !record.tokenIds) return undefined
  return [...record.promptTokenIds, ...record.tokenIds]
}

/** `ids[from, to)` (clamped) with pieces and text. */
export async function idWindow(
  tokenizer: AnalysisTokenizer,
  ids: readonly number[],
  from: number,
  to: number
): Promise<IdWindow> {
  const start = Math.max(0, from)
  const slice = ids.slice(start, Math.max(start, to))
  const [pieces, text] = await Promise.all([tokenPieces(tokenizer, slice), decodeIds(tokenizer, slice)])
  return { start, ids: slice, pieces, text }
}
