import type { DriftSummary } from './analyze-calls.js'
import type { CanonicalCaseResult } from './canonical-cases.js'

/** The one-paragraph conclusion both reports lead with. */
export interface DriftVerdict {
  /** True when anything in the input would change if the text were re-tokenized. */
  drift: boolean
  headline: string
  details: string[]
}

/** Turn counts into a verdict an RL engineer can act on. */
export function driftVerdict(
  summary: DriftSummary | undefined,
  cases: readonly CanonicalCaseResult[] = []
): DriftVerdict {
  const details: string[] = []
  const driftedCases = cases.filter((c) => c.result.drifted).length
  if (cases.length > 0) details.push(`${driftedCases} of ${cases.length} known cases re-encode to other ids.`)
  let bpe = 0
  let rerender = 0
  if (summary) {
    bpe = summary.responsesWithDrift
    rerender = summary.rerender.diverged
    details.push(
      `${bpe} of ${summary.responses} responses drift when decoded and re-encoded (${summary.driftedTokens} of ${summary.tokensScanned} sampled tokens change).`
    )
    if (summary.rerender.checked > 0) {
      const causes = Object.entries(summary.rerender.byCause)
        .sort((a, b) => b[1] - a[1])
        .map(([cause, n]) => `${cause} ×${n}`)
        .join(', ')
      details.push(
        `${rerender} of ${summary.rerender.checked} follow-up prompts stop extending the previous turn${causes ? ` (${causes})` : ''}; ${summary.rerender.sampledTokensLost} sampled tokens are not reproduced.`
      )
    }
  }
  const drift = bpe > 0 || rerender > 0 || driftedCases > 0
  const headline = drift
    ? 'Re-tokenizing text would train on token ids the model never sampled. Record the ids (TITO) instead.'
    : 'No drift in this input; re-tokenization happens to be safe here, but recorded ids stay the only exact source.'
  return { drift, headline, details }
}
