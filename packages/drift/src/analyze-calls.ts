import { type BuildResult, buildTrajectoriesAsync, type SpecialTokenIds, type TrajectoryCall } from '@strands-vllm/tito'
import { type AnalysisTokenizer, decodeIds, isSpecialId } from './analysis-tokenizer.js'
import type { DriftCallRecord } from './call-record.js'
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

/** The drift analysis of one model call. */
export interface CallDrift {
  callIndex: number
  rolloutId: string | undefined
  /** The recorder's invocation count, when the record carried it. */
  invocationIndex: number | undefined
  finishReason: string | null
  /**
   * The trailing EOS / stop-token id removed before re-encoding (null if none). A trainer keeps it as an
   * id; it is a control token, so re-encoding it would only test the special-token table.
   */
  strippedEos: number | null
  /** The recorder's status; only `exact` calls are analysed. */
  status: 'exact' | 'incomplete' | 'missing'
  /** BPE round trip of this call's sampled ids alone (never across turns); null when the call has no exact ids. */
  bpe: DriftResult | null
  /** Where this call's prompt stops extending the previous call's prompt + sampled ids; null when it extends. */
  rerender: RerenderDivergence | null
  /** True: extends the previous call. False: diverges (see `rerender`). Null: first call, a retry, or not exact. */
  extendsPrevious: boolean | null
  /** The last `promptContextTokens` prompt ids (context, loss mask 0), for showing sampled ids in place. */
  promptTail: IdWindow | null
}

/** Counts over a set of calls; what the CLI prints and the verdict is built from. */
export interface DriftSummary {
  calls: number
  /** Calls whose status is not `exact` (their ids are incomplete or missing): counted, not analysed. */
  callsNotExact: number
  /** Calls that had sampled ids to analyse. */
  responses: number
  responsesWithDrift: number
  /** Same, after removing special ids from the sampled ids. */
  responsesWithDriftWithoutSpecial: number
  /** Responses whose text itself changed on the round trip (normalisation). */
  responsesTextChanged: number
  /** Responses whose text re-encoded into control tokens it did not contain. */
  responsesCreatingSpecials: number
  /** Sampled ids analysed (after stripping the trailing EOS). */
  tokensScanned: number
  /** Sampled ids an id-level diff marks as changed by re-encoding. */
  driftedTokens: number
  rerender: {
    /** Consecutive call pairs with ids on both sides. */
    checked: number
    extended: number
    diverged: number
    byCause: Record<string, number>
    /** Sampled ids of previous calls that the re-rendered prompts do not reproduce. */
    sampledTokensLost: number
  }
}

export interface DriftAnalysis {
  tokenizer: string
  calls: CallDrift[]
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
  const summary = emptySummary()
  for await (const call of eachCallDrift(calls, tokenizer, options)) {
    out.push(call)
    addToSummary(summary, call)
  }
  return { tokenizer: tokenizer.name, calls: out, summary }
}

/**
 * Like `analyzeCalls`, but keeps only the counts (no per-call details, no token pieces): for datasets
 * too large to hold every call's details. Same counts as `analyzeCalls(...).summary`.
 */
export async function scanCalls(
  calls: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions = {}
): Promise<DriftSummary> {
  const summary = emptySummary()
  const scan = { ...options, promptContextTokens: 0, pieces: false }
  for await (const call of eachCallDrift(calls, tokenizer, scan)) addToSummary(summary, call)
  return summary
}

/** Sum the per-call results. */
export function summarizeCalls(calls: readonly CallDrift[]): DriftSummary {
  const summary = emptySummary()
  for (const call of calls) addToSummary(summary, call)
  return summary
}

async function* eachCallDrift(
  calls: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions
): AsyncGenerator<CallDrift> {
  const given = options.divergences ? indexDivergences(options.divergences) : undefined
  let done = 0
  for (const rollout of groupByHistory(calls)) {
    // Unique within one history: groupByHistory only keeps strictly increasing call indices together.
    const byIndex = new Map(rollout.map((c) => [c.callIndex, c] as const))
    const links = given ? undefined : await linkCalls(rollout, tokenizer, options)
    let preceding: DriftCallRecord | undefined
    for (const call of rollout) {
      const status = call.status ?? 'exact'
      const response = status === 'exact' ? stripTrailingEos(call, tokenizer) : undefined
      const bpe = response ? await retokenizationDrift(response.ids, tokenizer, options) : null
      let rerender: RerenderDivergence | null = null
      let extendsPrevious: boolean | null = null
      if (links) {
        const link = links.get(call.callIndex)
        const previous = link?.previousCallIndex === undefined ? undefined : byIndex.get(link.previousCallIndex)
        if (link?.relation === 'extends') extendsPrevious = true
        if (link?.divergence && previous) {
          rerender = await describeDivergence(previous, call, link.divergence, tokenizer, options)
          extendsPrevious = false
        }
      } else if (given && status === 'exact' && call.promptTokenIds) {
        const listed =
          given.get(key(call.rolloutId, call.invocationIndex, call.callIndex)) ??
          given.get(key(call.rolloutId, undefined, call.callIndex))
        const previous =
          listed?.previousCallIndex === undefined ? preceding : (byIndex.get(listed.previousCallIndex) ?? preceding)
        if (previous && hasIds(previous)) {
          rerender = listed ? await describeDivergence(previous, call, listed, tokenizer, options) : null
          extendsPrevious = rerender === null
        }
      }
      const context = options.promptContextTokens ?? 16
      const prompt = call.promptTokenIds
      const promptTail =
        prompt && context > 0 ? await idWindow(tokenizer, prompt, prompt.length - context, prompt.length) : null
      yield {
        callIndex: call.callIndex,
        rolloutId: call.rolloutId,
        invocationIndex: call.invocationIndex,
        finishReason: call.finishReason ?? null,
        status,
        strippedEos: response?.stripped ?? null,
        bpe,
        rerender,
        extendsPrevious,
        promptTail,
      }
      if (status === 'exact') preceding = call
      options.onProgress?.(++done, calls.length)
    }
  }
}

interface Link {
  relation: BuildResult['calls'][number]['relation']
  previousCallIndex: number | undefined
  divergence: BuilderDivergence | undefined
}

/** Run the trajectory builder over one rollout: how each call relates to the one it follows. */
async function linkCalls(
  rollout: readonly DriftCallRecord[],
  tokenizer: AnalysisTokenizer,
  options: AnalyzeOptions
): Promise<Map<number, Link>> {
  const input: TrajectoryCall[] = rollout.map((c) => {
    const call: TrajectoryCall = {
      callIndex: c.callIndex,
      status: c.status ?? 'exact',
      finishReason: c.finishReason ?? null,
    }
    if (c.invocationIndex !== undefined) call.invocationIndex = c.invocationIndex
    if (c.attempt !== undefined) call.attempt = c.attempt
    if (c.promptTokenIds) call.promptTokenIds = [...c.promptTokenIds]
    if (c.tokenIds) call.tokenIds = [...c.tokenIds]
    return call
  })
  const result = await buildTrajectoriesAsync(input, {
    decoder: { decode: async (ids) => decodeIds(tokenizer, ids) },
    ...(options.specialTokens ? { specialTokens: options.specialTokens } : {}),
  })
  const divergences = new Map(result.divergences.map((d) => [d.callIndex, d] as const))
  const links = new Map<number, Link>()
  for (const link of result.calls) {
    links.set(link.callIndex, {
      relation: link.relation,
      previousCallIndex: link.previousCallIndex ?? undefined,
      divergence: divergences.get(link.callIndex),
    })
  }
  return links
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

/**
 * One group per recorder history: calls of a rollout in order of appearance, a new group whenever the
 * `callIndex` does not go up (the recorder numbers calls from 0 after each reset) or the `invocationIndex`
 * goes down (`recorder.reset()`). Never sorted: sorting would interleave two histories of one rollout.
 */
function groupByHistory(calls: readonly DriftCallRecord[]): DriftCallRecord[][] {
  const groups: DriftCallRecord[][] = []
  const open = new Map<string | undefined, DriftCallRecord[]>()
  for (const call of calls) {
    const group = open.get(call.rolloutId)
    const last = group?.at(-1)
    const sameHistory =
      last !== undefined &&
      call.callIndex > last.callIndex &&
      !(
        call.invocationIndex !== undefined &&
        last.invocationIndex !== undefined &&
        call.invocationIndex < last.invocationIndex
      )
    if (group && sameHistory) group.push(call)
    else {
      const fresh = [call]
      groups.push(fresh)
      open.set(call.rolloutId, fresh)
    }
  }
  return groups
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

function emptySummary(): DriftSummary {
  return {
    calls: 0,
    callsNotExact: 0,
    responses: 0,
    responsesWithDrift: 0,
    responsesWithDriftWithoutSpecial: 0,
    responsesTextChanged: 0,
    responsesCreatingSpecials: 0,
    tokensScanned: 0,
    driftedTokens: 0,
    rerender: { checked: 0, extended: 0, diverged: 0, byCause: {}, sampledTokensLost: 0 },
  }
}

function addToSummary(summary: DriftSummary, call: CallDrift): void {
  summary.calls++
  if (call.status !== 'exact') summary.callsNotExact++
  const bpe = call.bpe
  if (bpe) {
    summary.responses++
    summary.tokensScanned += bpe.counts.original
    if (bpe.drifted) summary.responsesWithDrift++
    if (bpe.withoutSpecial.drifted) summary.responsesWithDriftWithoutSpecial++
    if (!bpe.textStable) summary.responsesTextChanged++
    if (bpe.createdSpecialIds.length > 0) summary.responsesCreatingSpecials++
    summary.driftedTokens += bpe.driftedIndices.original.length
  }
  if (call.extendsPrevious !== null) {
    const r = summary.rerender
    r.checked++
    if (call.rerender) {
      r.diverged++
      r.byCause[call.rerender.cause] = (r.byCause[call.rerender.cause] ?? 0) + 1
      r.sampledTokensLost += call.rerender.sampledLost
    } else r.extended++
  }
}
