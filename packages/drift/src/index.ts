export type { AnalysisTokenizer } from './analysis-tokenizer.js'
export {
  type AnalyzeOptions,
  analyzeCalls,
  type CallDrift,
  type DriftAnalysis,
  type GivenDivergence,
  type LogprobSummary,
  scanCalls,
} from './analyze-calls.js'
export type { DriftCallRecord } from './call-record.js'
export {
  type CanonicalCase,
  type CanonicalCaseResult,
  QWEN3_CANONICAL_CASES,
  runCanonicalCases,
} from './canonical-cases.js'
export type { DriftReport } from './drift-report.js'
export { type DriftSummary, summarizeCalls } from './drift-summary.js'
export type { DriftTrajectory } from './drift-trajectory.js'
export { DriftError, DriftInputError, ServerTokenizerError, TokenizerSourceError } from './errors.js'
export { renderHtmlReport } from './html-report.js'
export { parseCallsJsonl, readCallsJsonl } from './jsonl.js'
export type {
  BuilderDivergence,
  IdWindow,
  RerenderCause,
  RerenderDivergence,
  RerenderOptions,
} from './rerender-divergence.js'
export { resolveTokenizer } from './resolve-tokenizer.js'
export {
  type DriftOptions,
  type DriftResult,
  type RoundTrip,
  retokenizationDrift,
  type TokenSide,
} from './retokenization-drift.js'
export { renderTerminalReport, type TerminalReportOptions } from './terminal-report.js'
export { shouldUseColor } from './terminal-style.js'
export { type DriftVerdict, driftVerdict } from './verdict.js'
export { VLLMServerTokenizer, type VLLMServerTokenizerOptions } from './vllm-server-tokenizer.js'
