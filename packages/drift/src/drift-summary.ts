import type { CallDrift } from './analyze-calls.js'

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

/** Sum the per-call results. */
export function summarizeCalls(calls: readonly CallDrift[]): DriftSummary {
  const summary = emptySummary()
  for (const call of calls) addToSummary(summary, call)
  return summary
}

export function emptySummary(): DriftSummary {
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

export function addToSummary(summary: DriftSummary, call: CallDrift): void {
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
