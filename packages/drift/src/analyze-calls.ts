import {
  type BuildResult,
  buildTrajectoriesAsync,
  groupCalls,
  type SpecialTokenIds,
  type Trajectory,
  type TrajectoryCall,
} from '@strands-vllm/tito'
import { type AnalysisTokenizer, decodeIds, isSpecialId, tokenPieces } from './analysis-tokenizer.js'
import type { DriftCallRecord } from './call-record.js'
import { addToSummary, type DriftSummary, emptySummary } from './drift-summary.js'
import { type DriftTrajectory, toDriftTrajectory } from './drift-trajectory.js'
import { DriftInputError } from './errors.js'
import {
  type BuilderDivergence,
  describeDivergence,
  type IdWindow,
  idWindow,
  type RerenderDivergence,
  type RerenderOptions,
} from './rerender-divergence.js'
import { type DriftOptions, type DriftResult, retokenizationDrift } from './retokenization-drift.js'

/** Per-call logprob figures (of the sampled ids), when the record carried logprobs. */
export interface LogprobSummary {
  count: number
  mean: number
  min: number
}

/** The drift analysis of one model call. */
export interface CallDrift {
  callIndex: number
  rolloutId: string | undefined
  /** The recorder's invocation count, when the record carried it. */
  invocationIndex: number | undefined
  /** 1-based attempt within the turn (> 1: a retry), when the record carried it. */
  attempt: number | undefined
  finishReason: string | null
  /** The recorder's status; only `exact` calls are analysed. */
  status: 'exact' | 'incomplete' | 'missing'
  /** Prompt length in tokens; null when the call has no prompt ids. */
  promptLength: number | null
  /** Sampled tokens, the trailing EOS included; null when the call has no sampled ids. */
  sampledLength: number | null
  logprobs: LogprobSummary | null
  /**
   * The trailing EOS / stop-token id removed before re-encoding (null if none). A trainer keeps it as an
   * id; it is a control token, so re-encoding it would only test the special-token table.
   */
  strippedEos: number | null
  /** BPE round trip of this call's sampled ids alone (never across turns); null when the call has no exact ids. */
  bpe: DriftResult | null
  /** Where this call's prompt stops extending the previous call's prompt + sampled ids; null when it extends. */
  rerender: RerenderDivergence | null
  /** True: extends the previous call. False: diverges (see `rerender`). Null: first call, a retry, or not exact. */
  extendsPrevious: boolean | null
  /** The last `promptContextTokens` prompt ids (context, loss mask 0), for showing sampled ids in place. */
  promptTail: IdWindow | null
  /** The `DriftAnalysis.trajectories` entry holding this call's sampled ids; null when the builder left it out. */
  trajectoryIndex: number | null
}

export type { DriftSummary } from './drift-summary.js'

export interface DriftAnalysis {
  tokenizer: string
  calls: CallDrift[]
  /** The training sequences the trajectory builder makes from these calls, with drift and rewrites marked. */
  trajectories: DriftTrajectory[]
  /** The vocabulary piece of every id the trajectories, windows and re-encodings hold (for display). */
  pieces: Record<number, string>
  summary: DriftSummary
}

/**
 * A divergence from your own builder run. Give `invocationIndex` when one rollout holds several recorder
 * histories (`resetOnInvocation: true`, `recorder.reset()`), where the same `callIndex` comes back.
 */
export type GivenDivergence = BuilderDivergence & {
  rolloutId?: string | undefined
  invocationIndex?: number | undefined
}

export interface AnalyzeOptions extends DriftOptions, RerenderOptions {
  /**
   * Divergences from a `buildTrajectories` run you already made (e.g. with other builder options). By
   * default the analysis runs `@strands-vllm/tito`'s builder itself, per rollout. When given, a listed
   * call diverges with that index and cause, and an unlisted call with ids extends its predecessor.
   */
  divergences?: readonly GivenDivergence[] | undefined
  /** Control-token ids of the model family for the builder's classifier (default Qwen3). */
  specialTokens?: SpecialTokenIds | undefined
  /** Prompt ids kept per call as `promptTail` (reports show them as context). Default 16; `scanCalls` uses 0. */
  promptContextTokens?: number
  /** Called after each call is analysed. */
  onProgress?: ((done: number, total: number) => void) | undefined
}

/**
 * Per-call analysis: each response's ids re-encoded on their own, and each prompt checked against the
 * previous call of the same recorder history: calls are grouped by `rolloutId`, in order of appearance,
 * and a `callIndex` that does not go up (or an `invocationIndex` that goes down) starts a new history,
 * as after `resetOnInvocation: true` or `recorder.reset()`. Calls of different histories are never compared.
 */
export async function analyzeCalls(
  calls: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions = {}
): Promise<DriftAnalysis> {
  const out: CallDrift[] = []
  const trajectories: DriftTrajectory[] = []
  const summary = emptySummary()
  for await (const group of eachGroup(calls, tokenizer, options, false)) {
    for (const call of group.calls) {
      out.push(call)
      addToSummary(summary, call)
    }
    trajectories.push(...group.trajectories)
  }
  const pieces = await piecesOf(tokenizer, out, trajectories)
  return { tokenizer: tokenizer.name, calls: out, trajectories, pieces, summary }
}

/**
 * Like `analyzeCalls`, but keeps only the counts (no per-call details, no token pieces, no trajectories):
 * for datasets too large to hold every call's details. Same counts as `analyzeCalls(...).summary`.
 */
export async function scanCalls(
  calls: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions = {}
): Promise<DriftSummary> {
  const summary = emptySummary()
  const scan = { ...options, promptContextTokens: 0, pieces: false }
  for await (const group of eachGroup(calls, tokenizer, scan, true)) {
    for (const call of group.calls) addToSummary(summary, call)
  }
  return summary
}

interface GroupResult {
  calls: CallDrift[]
  trajectories: DriftTrajectory[]
}

/** One recorder history at a time; `counts` (scans) skips the windows, rewrites and trajectories. */
async function* eachGroup(
  calls: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions,
  counts: boolean
): AsyncGenerator<GroupResult> {
  const given = options.divergences ? indexDivergences(options.divergences) : undefined
  const context = options.promptContextTokens ?? 16
  let done = 0
  let trajectoryBase = 0
  // tito's grouping, the one the trajectory builder uses: by rollout, then by recorder history.
  for (const history of groupCalls(calls)) {
    // Unique within one history: groupCalls only keeps strictly increasing call indices together.
    const byIndex = new Map(history.map((c) => [c.callIndex, c] as const))
    const build = given && counts ? undefined : await buildHistory(history, tokenizer, options)
    const links = build ? linksOf(build) : undefined
    const out: CallDrift[] = []
    let preceding: DriftCallRecord | undefined
    for (const call of history) {
      const status = call.status ?? 'exact'
      const response = status === 'exact' ? stripTrailingEos(call, tokenizer) : undefined
      const bpe = response ? await retokenizationDrift(response.ids, tokenizer, options) : null
      const link = links?.get(call.callIndex)
      let rerender: RerenderDivergence | null = null
      let extendsPrevious: boolean | null = null
      if (!given) {
        const previous = link?.previousCallIndex === undefined ? undefined : byIndex.get(link.previousCallIndex)
        if (link?.relation === 'extends') extendsPrevious = true
        if (link?.divergence && previous) {
          rerender = await describeDivergence(previous, call, link.divergence, tokenizer, { ...options, counts })
          extendsPrevious = false
        }
      } else if (status === 'exact' && call.promptTokenIds) {
        const listed =
          given.get(key(call.rolloutId, call.invocationIndex, call.callIndex)) ??
          given.get(key(call.rolloutId, undefined, call.callIndex))
        const previous =
          listed?.previousCallIndex === undefined ? preceding : (byIndex.get(listed.previousCallIndex) ?? preceding)
        if (previous && hasIds(previous)) {
          rerender = listed ? await describeDivergence(previous, call, listed, tokenizer, { ...options, counts }) : null
          extendsPrevious = rerender === null
        }
      }
      const prompt = call.promptTokenIds
      const promptTail =
        prompt && context > 0 ? await idWindow(tokenizer, prompt, prompt.length - context, prompt.length) : null
      out.push({
        callIndex: call.callIndex,
        rolloutId: call.rolloutId,
        invocationIndex: call.invocationIndex,
        attempt: call.attempt,
        finishReason: call.finishReason ?? null,
        status,
        promptLength: prompt?.length ?? null,
        sampledLength: call.tokenIds?.length ?? null,
        logprobs: summarizeLogprobs(call.logprobs),
        strippedEos: response?.stripped ?? null,
        bpe,
        rerender,
        extendsPrevious,
        promptTail,
        trajectoryIndex: link?.trajectoryIndex === undefined ? null : trajectoryBase + link.trajectoryIndex,
      })
      if (status === 'exact') preceding = call
      options.onProgress?.(++done, calls.length)
    }
    const trajectories = counts || !build ? [] : trajectoriesOf(build.trajectories, trajectoryBase, out)
    trajectoryBase += build?.trajectories.length ?? 0
    yield { calls: out, trajectories }
  }
}

function trajectoriesOf(built: readonly Trajectory[], base: number, calls: readonly CallDrift[]): DriftTrajectory[] {
  const byIndex = new Map(calls.map((c) => [c.callIndex, c] as const))
  const successorOf = new Map<number, CallDrift>()
  for (const c of calls) if (c.rerender) successorOf.set(c.rerender.previousCallIndex, c)
  return built.map((t, i) => toDriftTrajectory(t, base + i, byIndex, successorOf))
}

interface Link {
  relation: BuildResult['calls'][number]['relation']
  previousCallIndex: number | undefined
  trajectoryIndex: number
  divergence: BuilderDivergence | undefined
}

/** Run the trajectory builder over one recorder history. */
function buildHistory(
  history: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions
): Promise<BuildResult> {
  const input: TrajectoryCall[] = history.map((c) => {
    const call: TrajectoryCall = {
      callIndex: c.callIndex,
      status: c.status ?? 'exact',
      finishReason: c.finishReason ?? null,
    }
    if (c.invocationIndex !== undefined) call.invocationIndex = c.invocationIndex
    if (c.attempt !== undefined) call.attempt = c.attempt
    if (c.rolloutId !== undefined) call.rolloutId = c.rolloutId
    // a stop string or stop token is not an end-of-sequence stop: the builder reads it
    if (c.stopReason !== undefined) call.stopReason = c.stopReason
    if (c.promptTokenIds) call.promptTokenIds = [...c.promptTokenIds]
    if (c.tokenIds) call.tokenIds = [...c.tokenIds]
    if (c.logprobs && c.tokenIds && c.logprobs.length === c.tokenIds.length) call.logprobs = [...c.logprobs]
    return call
  })
  return buildTrajectoriesAsync(input, {
    decoder: { decode: async (ids) => decodeIds(tokenizer, ids) },
    ...(options.specialTokens ? { specialTokens: options.specialTokens } : {}),
  })
}

/** How each call relates to the one it follows, keyed by call index (unique within one history). */
function linksOf(result: BuildResult): Map<number, Link> {
  const divergences = new Map(result.divergences.map((d) => [d.callIndex, d] as const))
  const links = new Map<number, Link>()
  for (const link of result.calls) {
    links.set(link.callIndex, {
      relation: link.relation,
      previousCallIndex: link.previousCallIndex ?? undefined,
      trajectoryIndex: link.trajectoryIndex,
      divergence: divergences.get(link.callIndex),
    })
  }
  return links
}

/** Pieces of every id a report may show, looked up once. */
async function piecesOf(
  tokenizer: AnalysisTokenizer,
  calls: readonly CallDrift[],
  trajectories: readonly DriftTrajectory[]
): Promise<Record<number, string>> {
  const ids = new Set<number>()
  const add = (list: readonly number[]): void => {
    for (const id of list) ids.add(id)
  }
  for (const t of trajectories) add(t.tokenIds)
  for (const c of calls) {
    if (c.bpe) {
      add(c.bpe.original.ids)
      add(c.bpe.reencoded.ids)
    }
    if (c.rerender) {
      add(c.rerender.held.ids)
      add(c.rerender.rendered.ids)
    }
    if (c.promptTail) add(c.promptTail.ids)
  }
  const list = [...ids].sort((a, b) => a - b)
  const pieces = await tokenPieces(tokenizer, list)
  const out: Record<number, string> = {}
  for (let i = 0; i < list.length; i++) out[list[i] as number] = pieces[i] ?? ''
  return out
}

function summarizeLogprobs(logprobs: readonly number[] | undefined): LogprobSummary | null {
  if (!logprobs || logprobs.length === 0) return null
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  for (const lp of logprobs) {
    sum += lp
    if (lp < min) min = lp
  }
  return { count: logprobs.length, mean: sum / logprobs.length, min }
}

function hasIds(call: DriftCallRecord): boolean {
  return call.promptTokenIds !== undefined && call.tokenIds !== undefined
}

function stripTrailingEos(
  call: DriftCallRecord,
  tokenizer: AnalysisTokenizer
): { ids: readonly number[]; stripped: number | null } | undefined {
  const ids = call.tokenIds
  if (!ids) return undefined
  const last = ids[ids.length - 1]
  if (last === undefined) return { ids, stripped: null }
  const isStop =
    tokenizer.eosTokenIds.includes(last) ||
    (typeof call.stopReason === 'number' && call.stopReason === last) ||
    (call.finishReason === 'stop' && isSpecialId(tokenizer, last))
  return isStop ? { ids: ids.slice(0, -1), stripped: last } : { ids, stripped: null }
}

function key(rolloutId: string | undefined, invocationIndex: number | undefined, callIndex: number): string {
  return `${rolloutId ?? ''}\u0000${invocationIndex ?? ''}\u0000${callIndex}`
}

/** Keyed by rollout, invocation and call index; a key given twice is ambiguous, so it throws. */
function indexDivergences(divergences: readonly GivenDivergence[]): Map<string, BuilderDivergence> {
  const map = new Map<string, BuilderDivergence>()
  for (const d of divergences) {
    const k = key(d.rolloutId, d.invocationIndex, d.callIndex)
    if (map.has(k)) {
      throw new DriftInputError(
        `divergences list call ${d.callIndex}${d.rolloutId === undefined ? '' : ` of rollout "${d.rolloutId}"`}` +
          `${d.invocationIndex === undefined ? '' : ` (invocation ${d.invocationIndex})`} twice; ` +
          'give each divergence its invocationIndex when a rollout holds several recorder histories'
      )
    }
    map.set(k, d)
  }
  return map
}
