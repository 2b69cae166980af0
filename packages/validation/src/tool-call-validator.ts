import type { JSONSchema, ToolSpec } from '@strands-agents/sdk'
import { getInvalidToolInput, invalidToolInputMessage } from '@strands-vllm/model'
import { formatAllowedTools } from './allowed-tools.js'
import { closestToolName } from './closest-tool.js'
import { type ResolvedToolValidationOptions, resolveOptions, type ToolValidationOptions } from './options.js'
import { SchemaCompiler } from './schema-compiler.js'
import { formatViolations, type SchemaViolation, toSchemaViolations } from './schema-violations.js'

/** Why a call was rejected, in the order the checks run. */
export type ToolValidationErrorCode =
  | 'unknownTool'
  | 'invalidJson'
  | 'notObject'
  | 'missingArguments'
  | 'unknownArguments'
  | 'schemaViolation'

/** A rejected tool call: `message` is the exact text the model reads as the tool's error result. */
export interface ToolValidationFailure {
  code: ToolValidationErrorCode
  toolName: string
  message: string
  /** For `schemaViolation`: every violation, sorted (the message may list fewer). */
  violations?: SchemaViolation[]
}

/** One tool call as the model produced it. */
export interface ToolCallToValidate {
  name: string
  input: unknown
  /** The registered tool's spec; `undefined` means the tool is unknown. */
  toolSpec: ToolSpec | undefined
  /** Registered tool names in registry order; read only for unknown tools. */
  allowedToolNames?: readonly string[]
}

type ParsedInput = { ok: true; value: Record<string, unknown> } | { ok: false; code: 'invalidJson' | 'notObject' }

/**
 * The checks behind `VLLMToolValidationHooks`, usable without an agent. Order: unknown tool →
 * not valid JSON → not an object → missing required → unknown arguments → schema violations;
 * the first failure wins. Messages are deterministic (same call, same bytes) because they are
 * a training signal. Schemas are compiled once per tool spec.
 */
export class ToolCallValidator {
  readonly options: ResolvedToolValidationOptions
  private readonly schemas: SchemaCompiler

  constructor(options: ToolValidationOptions = {}) {
    this.options = resolveOptions(options)
    this.schemas = new SchemaCompiler((error) => this.options.onSchemaError(error))
  }

  /** Returns the failure for a bad call, or `undefined` when the call may run. */
  validate(call: ToolCallToValidate): ToolValidationFailure | undefined {
    const failure = this.check(call)
    if (failure) this.options.onInvalidToolCall?.(failure)
    return failure
  }

  private check({
    name,
    input,
    toolSpec,
    allowedToolNames = [],
  }: ToolCallToValidate): ToolValidationFailure | undefined {
    if (!toolSpec) return this.unknownTool(name, allowedToolNames)
    const { validateInputShape, validateSchema } = this.options
    if (!validateInputShape && !validateSchema) return undefined

    const parsed = parseInput(input)
    if (!parsed.ok) {
      if (parsed.code === 'invalidJson')
        return { code: 'invalidJson', toolName: name, message: invalidToolInputMessage(name) }
      return fail('notObject', name, 'tool input must be an object')
    }
    const schema = inputSchemaOf(toolSpec)

    if (validateInputShape) {
      const missing = missingArguments(schema, parsed.value)
      if (missing.length > 0)
        return fail('missingArguments', name, `missing required argument(s): ${missing.join(', ')}`)
      const unknown = unknownArguments(schema, parsed.value)
      if (unknown.length > 0) return fail('unknownArguments', name, `unknown argument(s): ${unknown.join(', ')}`)
    }

    if (validateSchema) {
      const { validate } = this.schemas.get(toolSpec.name, schema)
      if (validate && !validate(parsed.value)) {
        const violations = toSchemaViolations(validate.errors ?? [])
        const list = formatViolations(violations, this.options.maxViolationsInError, this.options.maxViolationsLength)
        return { ...fail('schemaViolation', name, `invalid argument(s): ${list}`), violations }
      }
    }
    return undefined
  }

  private unknownTool(name: string, allowed: readonly string[]): ToolValidationFailure {
    let message = `Error: unknown tool: ${name}`
    if (this.options.includeAllowedToolsInErrors) {
      message += ` | allowed_tools=${formatAllowedTools(allowed, this.options.maxAllowedToolsInError)}`
    }
    if (this.options.suggestClosestTool) {
      const suggestion = closestToolName(name, allowed)
      if (suggestion !== undefined) message += ` | did you mean: ${suggestion}?`
    }
    return { code: 'unknownTool', toolName: name, message }
  }
}

function fail(code: ToolValidationErrorCode, toolName: string, text: string): ToolValidationFailure {
  return { code, toolName, message: `Error: tool_name=<${toolName}> | ${text}` }
}

/**
 * Like Python 0.0.6: `null`/`undefined` count as `{}` and anything else that is not an object — a string
 * included (double-encoded arguments reach us as one) — "must be an object". Arguments that were not valid
 * JSON arrive as the model package's marker object and get its one text.
 */
function parseInput(input: unknown): ParsedInput {
  const value: unknown = input ?? {}
  if (!isPlainObject(value)) return { ok: false, code: 'notObject' }
  if (getInvalidToolInput(value)) return { ok: false, code: 'invalidJson' }
  return { ok: true, value }
}

/** `inputSchema`, unwrapping the Python SDK's `{ json: schema }` form; no schema means no constraints. */
function inputSchemaOf(spec: ToolSpec): JSONSchema & object {
  const schema: unknown = spec.inputSchema
  if (!isPlainObject(schema)) return {}
  const wrapped = schema['json']
  return (isPlainObject(wrapped) ? wrapped : schema) as JSONSchema & object
}

/** Required names absent from the input, in schema order. */
function missingArguments(schema: object, input: Record<string, unknown>): string[] {
  const required: unknown = (schema as Record<string, unknown>)['required']
  if (!Array.isArray(required)) return []
  return required.filter((key): key is string => typeof key === 'string' && !Object.hasOwn(input, key))
}

/** Input keys outside `properties`, sorted; only when the schema closes `additionalProperties`. */
function unknownArguments(schema: object, input: Record<string, unknown>): string[] {
  const { additionalProperties, properties } = schema as Record<string, unknown>
  if (additionalProperties !== false || !isPlainObject(properties)) return []
  return Object.keys(input)
    .filter((key) => !Object.hasOwn(properties, key))
    .sort()
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
