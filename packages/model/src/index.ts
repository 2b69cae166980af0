export type {
  VLLMLogger,
  VLLMModelConfig,
  VLLMPauseInfo,
  VLLMPauseRetryConfig,
  VLLMSessionConfig,
} from './config.js'
export { isContextOverflowMessage } from './context-overflow.js'
export {
  VLLMAbortedError,
  VLLMConfigError,
  VLLMConnectionError,
  VLLMError,
  type VLLMErrorOptions,
  VLLMGenerationAbortedError,
  VLLMPauseBudgetExceededError,
  type VLLMPauseBudgetExceededErrorOptions,
  VLLMRequestError,
  VLLMServerError,
  VLLMServerUnavailableError,
  VLLMStreamError,
  type VLLMStreamErrorOptions,
} from './errors.js'
export {
  getInvalidToolInput,
  INVALID_TOOL_INPUT_KEY,
  type InvalidToolInput,
  invalidToolInputMessage,
  makeInvalidToolInput,
} from './invalid-tool-input.js'
export { InvalidToolInputGuard } from './invalid-tool-input-guard.js'
export {
  getVLLMResponseFields,
  type TitoInfo,
  type TitoPause,
  type TitoReason,
  type TitoReasonCode,
  type TitoStatus,
  type TitoTokenIn,
  type TitoUsage,
  type TopLogprob,
  type VLLMResponseFields,
} from './tito-fields.js'
export { SESSION_STATE_KEY, type SessionKeyContext } from './transport/session-key.js'
export { VLLMModel, type VLLMModelOptions } from './vllm-model.js'
export type { WireDelta, WireMessage, WireTool, WireToolCallDelta } from './wire.js'
