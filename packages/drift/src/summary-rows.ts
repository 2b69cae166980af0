import type { DriftSummary } from './drift-summary.js'

/**
 * The summary table's rows (label, count, rate), shared by the demo report (`'report'`) and the
 * CLI scan (`'scan'`, which adds the dataset-level rows and a second decimal for large inputs).
 */
export function summaryRows(summary: DriftSummary, mode: 'report' | 'scan'): string[][] {
  const scan = mode === 'scan'
  const digits = scan ? 2 : 1
  const pct = (n: number, d: number): string => (d === 0 ? '—' : `${((100 * n) / d).toFixed(digits)} %`)
  const row = (label: string, n: number, of?: number): string[] => [
    label,
    String(n),
    of === undefined ? '' : pct(n, of),
  ]
  const { responses, rerender } = summary
  const tokens = [
    row('sampled tokens changed', summary.driftedTokens, summary.tokensScanned),
    row('sampled tokens scanned', summary.tokensScanned),
  ]
  const rows: string[][] = [
    row(scan ? 'calls scanned' : 'calls analysed', summary.calls),
    ...(scan ? [row('responses with ids', responses, summary.calls)] : []),
    row('responses with BPE drift', summary.responsesWithDrift, responses),
    row('  … without special tokens', summary.responsesWithDriftWithoutSpecial, responses),
    row('  … whose text changes', summary.responsesTextChanged, responses),
    ...(scan ? [row('  … creating control tokens', summary.responsesCreatingSpecials, responses)] : []),
    ...(scan ? tokens.reverse() : tokens),
    ...(scan ? [row('prompt pairs checked', rerender.checked)] : []),
    row(
      scan ? 're-render divergences' : 'prompts not extending the previous call',
      rerender.diverged,
      rerender.checked
    ),
  ]
  for (const [cause, n] of Object.entries(rerender.byCause).sort((a, b) => b[1] - a[1])) {
    rows.push(row(`  … ${cause}`, n, rerender.checked))
  }
  if (scan) rows.push(row('sampled tokens not reproduced', rerender.sampledTokensLost))
  return rows
}
