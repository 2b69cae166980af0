export { type AnalysisTokenizer, tokenPieces } from './analysis-tokenizer.js'
export {
  type AnalyzeOptions,
  analyzeCalls,
  type CallDrift,
  type DriftAnalysis,
  type DriftSummary,
  type GivenDivergence,
  scanCalls,
  summarizeCalls,
} from './analyze-calls.js'
export type { DriftCallRecord } from './call-record.js'
export {
  type CanonicalCase,
  type CanonicalCaseResult,
  QWEN3_CANONICAL_CASES,
  runCanonicalCases,
} from './canonical-cases.js'
export { diffIds, type IdDiff } from './diff-ids.js'
export type { DriftReport } from './drift-report.js'
export { DriftError, DriftInputError, ServerTokenizerError, TokenizerSourceError } from './errors.js'
export { escapeHtml, renderHtmlReport } from './html-report.js'
export { parseCallLine, parseCallsJsonl, readCallsJsonl, toDriftRecord } from './jsonl.js'
export {
  type BuilderDivergence,
  describeDivergence,
  type IdWindow,
  type RerenderCause,
  type RerenderDivergence,
  type RerenderOptions,
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
