export {
  AGL_ENV_VARIABLES,
  type AglEnvSource,
  type AglMode,
  type AglRolloutEnv,
  hasAglEnv,
  readAglEnv,
} from './agl-env.js'
export { AGL_DEFAULT_MODEL_ID, type AglModelOptions, aglModelConfig, createAglModel } from './agl-model.js'
export { type AglRewardOptions, AglServerClient, type AglServerClientOptions } from './agl-server-client.js'
export {
  AGL_AGENT_NAME,
  AGL_ANNOTATION_SPAN,
  AGL_ATTEMPT_ID,
  AGL_REWARD_PREFIX,
  AGL_ROLLOUT_ID,
} from './agl-span-names.js'
export type {
  AglEvent,
  AglJsonObject,
  AglJsonValue,
  AglRewardData,
  AglRollout,
  AglRolloutState,
} from './agl-types.js'
export { describeAglFailure } from './describe-failure.js'
export { type EmitAglRewardOptions, emitAglReward } from './emit-reward.js'
export {
  AgentLightningError,
  AglAuthError,
  AglCancelledError,
  AglConfigError,
  AglEnvError,
  type AglEnvProblem,
  AglExportError,
  type AglExportFailure,
  AglNotFoundError,
  AglServerError,
  type AglServerErrorOptions,
} from './errors.js'
export { AGL_EXIT_CODES, aglExitCode, SIGNAL_EXIT_CODES } from './exit-codes.js'
export { type AglRolloutIds, currentAglRollout, withAglRollout } from './rollout-scope.js'
export { AglRolloutSpanProcessor, type AglRolloutSpanProcessorOptions } from './rollout-span-processor.js'
export {
  type AglRolloutContext,
  type AglRolloutLogger,
  type AglRolloutOutcome,
  ROLLOUT_ERROR_EVENT,
  type RunAglRolloutOptions,
  runAglRollout,
  TITO_CALLS_EVENT,
} from './run-agl-rollout.js'
