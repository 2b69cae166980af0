export { filterAndUnflatten, unflattenAttributes } from './attributes.js'
export { AglAdapterError, AglStoreError } from './errors.js'
export { decodeRpcStatus } from './otlp-codec.js'
export {
  AGL_ANNOTATION,
  findFinalReward,
  isRewardSpan,
  REWARD_PREFIX,
  type RewardDimension,
  rewardsFromSpan,
  rewardValue,
} from './rewards.js'
export type { Attributes, AttributeValue, SpanStatusCode, StoreSpan, Triplet } from './span.js'
export { ATTEMPT_ID, ROLLOUT_ID, SPAN_SEQUENCE_ID } from './spans-from-otlp.js'
export { type AglStore, type AglStoreOptions, type ExportRecord, type StartedRollout, startAglStore } from './store.js'
export { type RewardMatchPolicy, TraceTree } from './trace-tree.js'
export {
  DEFAULT_LLM_CALL_MATCH,
  spanToTriplet,
  TracerTraceToTriplet,
  type TracerTraceToTripletOptions,
} from './tracer-trace-to-triplet.js'
