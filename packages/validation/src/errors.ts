import { hasErrorMarker } from '@strands-vllm/model/internal'

const marker: unique symbol = Symbol.for('strands-vllm.error.VLLMValidationError')
const optionsMarker: unique symbol = Symbol.for('strands-vllm.error.ValidationOptionsError')
const schemaMarker: unique symbol = Symbol.for('strands-vllm.error.ToolSchemaCompileError')

/**
 * Base class of every error this package creates. The `Symbol.for` marker makes `isInstance`
 * work across duplicated copies of the package (ESM + CJS), where `instanceof` does not.
 */
export class VLLMValidationError extends Error {
  readonly [marker] = true

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'VLLMValidationError'
  }

  static isInstance(error: unknown): error is VLLMValidationError {
    return hasErrorMarker(error, marker)
  }
}

/** Thrown by the constructor when an option has a value that cannot mean anything sensible. */
export class ValidationOptionsError extends VLLMValidationError {
  readonly [optionsMarker] = true
  readonly option: string

  constructor(option: string, message: string) {
    super(`option=<${option}> | ${message}`)
    this.name = 'ValidationOptionsError'
    this.option = option
  }

  static override isInstance(error: unknown): error is ValidationOptionsError {
    return hasErrorMarker(error, optionsMarker)
  }
}

/**
 * A tool's input schema that ajv cannot compile. Never thrown during a rollout: it is handed to
 * `onSchemaError` once per schema and the tool falls back to the shape checks.
 */
export class ToolSchemaCompileError extends VLLMValidationError {
  readonly [schemaMarker] = true
  readonly toolName: string

  constructor(toolName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`tool_name=<${toolName}> | input schema cannot be compiled, using shape checks only: ${reason}`, { cause })
    this.name = 'ToolSchemaCompileError'
    this.toolName = toolName
  }

  static override isInstance(error: unknown): error is ToolSchemaCompileError {
    return hasErrorMarker(error, schemaMarker)
  }
}
