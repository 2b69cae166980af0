export type { VLLMLogger, VLLMModelConfig } from './config.js'
export { isContextOverflowMessage } from './context-overflow.js'
export {
  VLLMAbortedError,
  VLLMConfigError,
  VLLMConnectionError,
  VLLMError,
  type VLLMErrorOptions,
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
  makeInvalidToolInput,
} from './invalid-tool-input.js'
export { InvalidToolInputGuard, invalidToolInputMessage } from './invalid-tool-input-guard.js'
export {
  getVLLMResponseFields,
  type TitoInfo,
  type TitoReason,
  type TitoReasonCode,
  type TitoStatus,
  type TitoUsage,
  type TopLogprob,
  type VLLMResponseFields,
} from './tito-fields.js'
export { VLLMModel, type VLLMModelOptions } from './vllm-model.js'
