import type { DriftAnalysis } from './analyze-calls.js'
import type { CanonicalCaseResult } from './canonical-cases.js'

/** Everything the terminal and HTML reports show; each part is optional. */
export interface DriftReport {
  /** Report title. Default "Retokenization drift". */
  title?: string
  /** The tokenizer's name, shown in the header. */
  tokenizer: string
  /** Known cases, from `runCanonicalCases`. */
  cases?: readonly CanonicalCaseResult[]
  /** Per-call analysis, from `analyzeCalls`. */
  analysis?: DriftAnalysis
  /** Free-form lines shown under the title (e.g. where the rollout ran). */
  notes?: readonly string[]
}
