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
  VLLMConcurrentCallError,
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
  VLLMTokenInError,
  type VLLMTokenInErrorCode,
  type VLLMTokenInErrorOptions,
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
  createHermesToolParser,
  createQwen3CoderToolParser,
  createResponseParser,
  type ParserContext,
  type ParserFactory,
  Qwen3ReasoningParser,
  type ResponseParser,
  type ResponseParserOptions,
  reasoningParsers,
  toolParsers,
} from './parsers/index.js'
export {
  getVLLMResponseFields,
  type TitoInfo,
  type TitoPause,
  type TitoReason,
  type TitoReasonCode,
  type TitoStatus,
  type TitoTokenIn,
  type TitoUsage,
  type TokenInRenderReason,
  type TopLogprob,
  type VLLMResponseFields,
} from './tito-fields.js'
export type {
  ChatRenderer,
  ChatRendererMessage,
  ChatRendererOptions,
  TokenInOptions,
} from './token-in/token-in-options.js'
export { SESSION_STATE_KEY, type SessionKeyContext } from './transport/session-key.js'
export { VLLMModel, type VLLMModelOptions } from './vllm-model.js'
export type { WireDelta, WireMessage, WireTool, WireToolCallDelta, WireToolChoice } from './wire.js'
