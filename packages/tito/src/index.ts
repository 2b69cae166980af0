export {
  type AsyncBuildTrajectoriesOptions,
  type BuildResult,
  type BuildTrajectoriesOptions,
  buildTrajectories,
  buildTrajectoriesAsync,
  type CallLink,
  type DivergencePolicy,
  type ExcludedCall,
} from './build-trajectories.js'
export type { RecordedToolUse, TitoCallRecord, TrajectoryCall } from './call-record.js'
export {
  classifyDivergence,
  DIVERGENCE_CAUSES,
  type Divergence,
  type DivergenceCause,
  type DivergenceInput,
  type DivergenceWindow,
  QWEN3_SPECIAL_IDS,
  type SpecialTokenIds,
} from './divergence.js'
export { RecorderError, TitoError, TitoJsonlError, TokenManagerError, TrajectoryDivergenceError } from './errors.js'
export { type RecorderInner, VLLMTokenRecorder, type VLLMTokenRecorderOptions } from './recorder.js'
export { sha256TokenIds } from './sha256.js'
export { DEFAULT_SPAN_NAME, titoSpanAttributes } from './span-attributes.js'
export { type AgentSpanLookup, StrandsSpanTracker } from './strands-span-tracker.js'
export {
  fromTitoRecords,
  parseTitoJsonl,
  readTitoJsonl,
  TITO_CALL_SCHEMA,
  type TitoJsonlRecord,
  toTitoJsonl,
  toTitoRecords,
  writeTitoJsonl,
} from './tito-jsonl.js'
export {
  type AsyncTokenDecoder,
  type TokenDecoder,
  type VLLMDetokenizerOptions,
  vllmDetokenizer,
} from './token-decoder.js'
export {
  type AddOptions,
  type AddPromptOptions,
  type SegmentKind,
  TokenManager,
  type TokenManagerOptions,
  type TokenSegment,
} from './token-manager.js'
export {
  type AgentLightningTriplet,
  type SlimeSample,
  type TrajectoryRewardOptions,
  type TripletOptions,
  toAgentLightningTriplets,
  toSlimeSamples,
  toVerlRows,
  type VerlRow,
} from './training-exports.js'
export { Trajectory } from './trajectory.js'
