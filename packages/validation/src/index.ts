export { ToolSchemaCompileError, ValidationOptionsError, VLLMValidationError } from './errors.js'
export type { ToolValidationOptions } from './options.js'
export type { SchemaViolation } from './schema-violations.js'
export {
  type ToolCallToValidate,
  ToolCallValidator,
  type ToolValidationErrorCode,
  type ToolValidationFailure,
} from './tool-call-validator.js'
export { VLLMToolValidationHooks } from './tool-validation-hooks.js'
