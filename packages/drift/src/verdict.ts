import type { CanonicalCaseResult } from './canonical-cases.js'
import type { DriftSummary } from './drift-summary.js'

/** The one-paragraph conclusion both reports lead with. */
export interface DriftVerdict {
  /** True when something in the judged input would change if its text were re-tokenized. */
  drift: boolean
  /**
   * What was judged: `data` (your calls — the built-in cases never count then), `demo-cases` (no calls were
   * given, only the built-in cases), `nothing` (calls were given but none had exact ids to analyse).
   */
  basis: 'data' | 'demo-cases' | 'nothing'
  headline: string
  details: string[]
  /** One line on the built-in cases when they were shown next to your data; not part of the verdict. */
  demoNote: string | null
}

/**
 * Turn counts into a verdict an RL engineer can act on. With a `summary`, the verdict is about that data
 * only: the built-in cases always drift (that is what they are for), so they get a separate `demoNote`.
 */
export function driftVerdict(
  summary: DriftSummary | undefined,
  cases: readonly CanonicalCaseResult[] = []
): DriftVerdict {
  const driftedCases = cases.filter((c) => c.result.drifted).length
  const casesLine =
    cases.length > 0
      ? `Built-in examples (not your data): ${driftedCases} of ${cases.length} known cases re-encode to other ids.`
      : null
  if (!summary) {
    return {
      drift: driftedCases > 0,
      basis: 'demo-cases',
      headline:
        driftedCases > 0
          ? 'The built-in examples show re-tokenized text turning into token ids the model never sampled.'
          : 'No calls given and no built-in example drifts with this tokenizer.',
      details: casesLine ? [casesLine] : [],
      demoNote: null,
    }
  }
  if (summary.responses === 0 && summary.rerender.checked === 0) {
    return {
      drift: false,
      basis: 'nothing',
      headline: `Nothing to judge: none of the ${summary.calls} calls has exact token ids to analyse.`,
      details: [
        `${summary.callsNotExact} of ${summary.calls} calls are not exact (incomplete or missing ids) and are only counted.`,
      ],
      demoNote: casesLine,
    }
  }
  const details: string[] = []
  const bpe = summary.responsesWithDrift
  const rerender = summary.rerender.diverged
  details.push(
    `${bpe} of ${summary.responses} responses drift when decoded and re-encoded (${summary.driftedTokens} of ${summary.tokensScanned} sampled tokens change).`
  )
  if (summary.rerender.checked > 0) {
    const causes = Object.entries(summary.rerender.byCause)
      .sort((a, b) => b[1] - a[1])
      .map(([cause, n]) => `${cause} ×${n}`)
      .join(', ')
    details.push(
      `${rerender} of ${summary.rerender.checked} follow-up prompts stop extending the previous call${causes ? ` (${causes})` : ''}; ${summary.rerender.sampledTokensLost} sampled tokens are not reproduced.`
    )
  }
  if (summary.callsNotExact > 0) {
    details.push(`${summary.callsNotExact} of ${summary.calls} calls are not exact and were only counted.`)
  }
  const drift = bpe > 0 || rerender > 0
  const headline = drift
    ? 'Your data drifts: re-tokenizing its text would train on token ids the model never sampled. Record the ids (TITO) instead.'
    : 'No drift in your data: re-tokenization happens to be safe here, but recorded ids stay the only exact source.'
  return { drift, basis: 'data', headline, details, demoNote: casesLine }
}
