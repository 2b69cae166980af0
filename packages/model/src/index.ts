export {
  getInvalidToolInput,
  INVALID_TOOL_INPUT_KEY,
  type InvalidToolInput,
  makeInvalidToolInput,
} from './invalid-tool-input.js'
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
