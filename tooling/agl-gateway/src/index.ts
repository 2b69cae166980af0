export { AglGatewayError } from './errors.js'
export { type AglGateway, type AglGatewayOptions, startAglGateway } from './gateway.js'
export { type ProxyRequestRecord, REDACTED } from './proxy-record.js'
export { pinEndpoint, pinnedIndex } from './replica-pinning.js'
export { type RolloutEnv, type RolloutEnvOptions, rolloutEnv } from './rollout-env.js'
export {
  envFromMap,
  type RolloutProcessResult,
  type RunRolloutProcessOptions,
  runRolloutProcess,
} from './rollout-process.js'
export { choiceLogProbs, toTripletEvents, trimModelRequest } from './triplet-events.js'
export {
  type AglEvent,
  DEFAULT_ATTEMPT_ID,
  type JsonObject,
  type JsonValue,
  type ModelRequestData,
  type ModelServer,
  type PauseState,
  type ProxyMode,
  ROLLOUT_STATES,
  type Rollout,
  type RolloutConfig,
  type RolloutCreate,
  type RolloutLifecycleStatus,
  type RolloutState,
  TERMINAL_STATES,
  type TripletData,
  VALID_TRANSITIONS,
} from './types.js'
export type { RetryOptions } from './upstream.js'
