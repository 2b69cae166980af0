import { type ToolSchemaCompileError, ValidationOptionsError } from './errors.js'
import type { ToolValidationFailure } from './tool-call-validator.js'

/** Options of `VLLMToolValidationHooks` / `ToolCallValidator`. Defaults match the Python package where it has them. */
export interface ToolValidationOptions {
  /** Append ` | allowed_tools=[…]` (registry order) to unknown-tool errors. Default `true`. */
  includeAllowedToolsInErrors?: boolean
  /**
   * Most names listed in `allowed_tools=[…]`; the rest are counted as `, ... (+K more)`.
   * Default `25`. `0` or less lists no names, only the count: `allowed_tools=[... (+3 more)]`.
   * `Infinity` lists all.
   */
  maxAllowedToolsInError?: number
  /** Check JSON-ness, object-ness, required and (closed schemas) unknown arguments. Default `true`. */
  validateInputShape?: boolean
  /** Validate the input against the tool's full JSON Schema with ajv. Default `true`. */
  validateSchema?: boolean
  /** Append ` | did you mean: <name>?` to unknown-tool errors when a registered name is close. Default `false`. */
  suggestClosestTool?: boolean
  /** Most schema violations listed before `; ... (+K more)`. Default `5`. */
  maxViolationsInError?: number
  /** Approximate cap, in characters, on the listed violations (at least one is always listed). Default `400`. */
  maxViolationsLength?: number
  /** Called once per tool schema that ajv cannot compile (the tool then gets the shape checks only). Default: `console.warn`. */
  onSchemaError?: (error: ToolSchemaCompileError) => void
  /** Called for every rejected call, e.g. to count error kinds in rollout metrics. */
  onInvalidToolCall?: (failure: ToolValidationFailure) => void
}

export type ResolvedToolValidationOptions = Required<Omit<ToolValidationOptions, 'onInvalidToolCall'>> &
  Pick<ToolValidationOptions, 'onInvalidToolCall'>

const warn = (error: ToolSchemaCompileError): void => {
  console.warn(`[strands-vllm/validation] ${error.message}`)
}

/** Fills defaults and rejects values that cannot mean anything (NaN, non-numbers, counts below 1). */
export function resolveOptions(options: ToolValidationOptions): ResolvedToolValidationOptions {
  const resolved: ResolvedToolValidationOptions = {
    includeAllowedToolsInErrors: options.includeAllowedToolsInErrors ?? true,
    maxAllowedToolsInError: Math.max(0, Math.floor(number(options, 'maxAllowedToolsInError', 25))),
    validateInputShape: options.validateInputShape ?? true,
    validateSchema: options.validateSchema ?? true,
    suggestClosestTool: options.suggestClosestTool ?? false,
    maxViolationsInError: atLeastOne(options, 'maxViolationsInError', 5),
    maxViolationsLength: atLeastOne(options, 'maxViolationsLength', 400),
    onSchemaError: options.onSchemaError ?? warn,
  }
  if (options.onInvalidToolCall) resolved.onInvalidToolCall = options.onInvalidToolCall
  return resolved
}

type NumericOption = 'maxAllowedToolsInError' | 'maxViolationsInError' | 'maxViolationsLength'

function number(options: ToolValidationOptions, key: NumericOption, fallback: number): number {
  const value: unknown = options[key]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValidationOptionsError(key, `must be a number, got ${JSON.stringify(value) ?? String(value)}`)
  }
  return value
}

function atLeastOne(options: ToolValidationOptions, key: NumericOption, fallback: number): number {
  const value = Math.floor(number(options, key, fallback))
  if (value < 1) throw new ValidationOptionsError(key, `must be at least 1, got ${String(options[key])}`)
  return value
}
