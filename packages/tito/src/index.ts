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
export type {
  RecordedToolUse,
  TitoCallMode,
  TitoCallRecord,
  TitoPause,
  TitoTokenIn,
  TitoTransport,
  TokenInRenderReason,
  TrajectoryCall,
} from './call-record.js'
export {
  type Divergence,
  type DivergenceCause,
  type DivergenceWindow,
  QWEN3_SPECIAL_IDS,
  type SpecialTokenIds,
} from './divergence.js'
export {
  RecorderError,
  TitoError,
  TitoJsonlError,
  TokenInInvariantError,
  TokenManagerError,
  TrajectoryDivergenceError,
} from './errors.js'
export { type GroupableCall, groupCalls } from './group-calls.js'
export { TitoJsonlSink, type TitoJsonlSinkOptions } from './jsonl-sink.js'
export { type RecorderInner, VLLMTokenRecorder, type VLLMTokenRecorderOptions } from './recorder.js'
export {
  DEFAULT_SPAN_NAME,
  DEFAULT_UNTRAINABLE_SPAN_NAME,
  type LogprobContentEntry,
  titoSpanAttributes,
} from './span-attributes.js'
export { type AgentSpanLookup, StrandsSpanTracker } from './strands-span-tracker.js'
export {
  fromTitoRecords,
  type ParseTitoJsonlOptions,
  parseTitoJsonl,
  readTitoJsonl,
  TITO_CALL_SCHEMA,
  type TitoJsonlPrefix,
  type TitoJsonlRecord,
  type TitoJsonlWarning,
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
  type TokenManagerJSON,
  type TokenManagerOptions,
  type TokenSegment,
} from './token-manager.js'
export {
  type AgentLightningTriplet,
  defaultRolloutIndex,
  type SlimeSample,
  type SlimeSampleOptions,
  type SlimeStatus,
  type TrajectoryRewardOptions,
  type TripletOptions,
  toAgentLightningTriplets,
  toSlimeSamples,
  toVerlRows,
  type VerlMetrics,
  type VerlRow,
  type VerlRowOptions,
} from './training-exports.js'
export { Trajectory, type TrajectoryJSON } from './trajectory.js'
