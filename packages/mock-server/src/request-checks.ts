import { badRequest } from './errors.js'
import type { ChatCompletionRequest } from './types.js'
import { fieldTypeError, invalidParam, missingFieldError, requestValidationError } from './validation-error.js'

/** Qwen3-8B's vocabulary size: what `-1` (every token) stands for in logprob counts. */
const VOCAB_SIZE = 151936

/**
 * The checks vLLM's request models run before anything is rendered (pydantic `model_validator`s, so their
 * errors are `Bad Request` validation texts), in the order vLLM runs them. Shared by chat and completions.
 */
export function checkStreamOptions(body: { stream?: unknown; stream_options?: unknown }): void {
  if (truthy(body.stream_options) && !body.stream) {
    throw requestValidationError('Stream options can only be defined when `stream=True`.', body, {
      param: 'stream_options',
    })
  }
}

/** `prompt_logprobs` and the per-token count field (`top_logprobs` for chat, `logprobs` for completions). */
export function checkLogprobCounts(
  body: Record<string, unknown>,
  countField: 'top_logprobs' | 'logprobs',
  needsLogprobsFlag: boolean
): void {
  for (const field of ['prompt_logprobs', countField]) {
    const value = body[field]
    if (value != null && typeof value !== 'number' && typeof value !== 'boolean') {
      throw requestValidationError(`\`${field}\` must be an integer.`, body, { param: field, value })
    }
  }
  const prompt = body.prompt_logprobs as number | null | undefined
  if (prompt != null) {
    if (body.stream && (prompt > 0 || prompt === -1)) {
      throw requestValidationError('`prompt_logprobs` are not available when `stream=True`.', body, {
        param: 'prompt_logprobs',
      })
    }
    if (prompt < 0 && prompt !== -1) {
      throw requestValidationError('`prompt_logprobs` must be a positive value or -1.', body, {
        param: 'prompt_logprobs',
        value: prompt,
      })
    }
  }
  const count = body[countField] as number | boolean | null | undefined
  if (typeof count === 'number') {
    if (count < 0 && count !== -1) {
      throw requestValidationError(`\`${countField}\` must be a positive value or -1.`, body, {
        param: countField,
        value: count,
      })
    }
    if (needsLogprobsFlag && (count === -1 || count > 0) && !body.logprobs) {
      throw requestValidationError('when using `top_logprobs`, `logprobs` must be set to true.', body, {
        param: 'top_logprobs',
      })
    }
  }
}

/** vLLM's engine-side limit (`--max-logprobs`); `-1` asks for the whole vocabulary. */
export function checkMaxLogprobs(sample: number | null, prompt: number | null | undefined, maxLogprobs: number): void {
  const limit = maxLogprobs === -1 ? VOCAB_SIZE : maxLogprobs
  const asked = (n: number): number => (n === -1 ? VOCAB_SIZE : n)
  if (sample != null && asked(sample) > limit) {
    throw invalidParam(
      `Requested sample logprobs of ${asked(sample)}, which is greater than max allowed: ${maxLogprobs}`,
      'logprobs',
      asked(sample)
    )
  }
  if (prompt != null && asked(prompt) > limit) {
    throw invalidParam(
      `Requested prompt logprobs of ${asked(prompt)}, which is greater than max allowed: ${maxLogprobs}`,
      'prompt_logprobs',
      asked(prompt)
    )
  }
}

/** `n` (sampling params). */
export function checkN(n: unknown): number {
  const value = n ?? 1
  if (!Number.isInteger(value) || (value as number) < 1)
    throw invalidParam(`n must be at least 1, got ${value}.`, 'n', value)
  return value as number
}

/** An integer field (pydantic `int`): a fractional number is a validation error. */
export function checkIntegerField(body: Record<string, unknown>, field: string): void {
  const value = body[field]
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw fieldTypeError(
      field,
      'int_from_float',
      'Input should be a valid integer, got a number with a fractional part',
      value
    )
  }
  if (typeof value === 'string' && !/^\s*[-+]?\d+\s*$/.test(value)) {
    throw fieldTypeError(
      field,
      'int_parsing',
      'Input should be a valid integer, unable to parse string as an integer',
      value
    )
  }
  if (typeof value === 'object' && value !== null) {
    throw fieldTypeError(field, 'int_type', 'Input should be a valid integer', value)
  }
}

/** The chat request model's checks: messages, stream options, logprobs, tools and tool choice, generation prompt. */
export function checkChatRequest(body: ChatCompletionRequest): void {
  if (!('messages' in body) || body.messages === undefined) throw missingFieldError('messages', body)
  if (!Array.isArray(body.messages)) {
    throw fieldTypeError('messages', 'list_type', 'Input should be a valid list', body.messages)
  }
  checkIntegerField(body, 'max_tokens')
  checkIntegerField(body, 'max_completion_tokens')
  checkStreamOptions(body)
  checkLogprobCounts(body, 'top_logprobs', true)
  checkToolUsage(body)
  if (body.continue_final_message && body.add_generation_prompt) {
    throw requestValidationError('Cannot set both `continue_final_message` and `add_generation_prompt` to True.', body)
  }
}

const CORRECT_USAGE = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`'

function checkToolUsage(body: ChatCompletionRequest): void {
  const { tools } = body
  if (Array.isArray(tools) && tools.length === 0) {
    throw requestValidationError(
      '`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.',
      body,
      { param: 'tools' }
    )
  }
  const choice = 'tool_choice' in body ? body.tool_choice : tools ? 'auto' : undefined
  if (choice === 'none' || choice == null) return
  if (tools == null) {
    throw requestValidationError('When using `tool_choice`, `tools` must be set.', body, { param: 'tool_choice' })
  }
  if (typeof choice === 'string') {
    if (choice === 'auto' || choice === 'required') return
    throw requestValidationError(
      `Invalid value for \`tool_choice\`: ${choice}! Only named tools, "none", "auto" or "required" are supported.`,
      body,
      { param: 'tool_choice' }
    )
  }
  if (typeof choice !== 'object') throw badRequest('Invalid value for `tool_choice`', 'tool_choice')
  const fn = (choice as { function?: unknown }).function
  if (typeof fn !== 'object' || fn === null) {
    throw requestValidationError(
      `Invalid value for \`function\`: \`${fn === undefined ? 'None' : JSON.stringify(fn)}\` in \`tool_choice\`! ${CORRECT_USAGE}`,
      body,
      { param: 'tool_choice.function' }
    )
  }
  if (!('name' in fn)) {
    throw requestValidationError(`Expected field \`name\` in \`function\` in \`tool_choice\`! ${CORRECT_USAGE}`, body, {
      param: 'tool_choice.function.name',
    })
  }
  const name = (fn as { name?: unknown }).name
  if (typeof name !== 'string' || name.length === 0) {
    throw requestValidationError(
      `Invalid \`name\` in \`function\`: \`${String(name)}\` in \`tool_choice\`! ${CORRECT_USAGE}`,
      body,
      { param: 'tool_choice.function.name' }
    )
  }
  if (!tools.some((t) => t?.function?.name === name)) {
    throw requestValidationError(
      'The tool specified in `tool_choice` does not match any of the specified `tools`',
      body,
      { param: 'tool_choice' }
    )
  }
}

/** Python truthiness of a JSON value (`{}`, `[]`, `""`, `0` are false). */
function truthy(value: unknown): boolean {
  if (value == null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}
