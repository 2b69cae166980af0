import { badRequest, type MockVLLMRequestError } from './errors.js'
import type { FaultSet } from './faults.js'
import type { ContextVariant } from './types.js'
import { invalidParam } from './validation-error.js'

/** One request's sizes, as vLLM's renderer sees them. */
export interface ContextRequest {
  inputTokens: number
  /** `max_tokens` / `max_completion_tokens` as sent (null: not sent). */
  maxTokens: number | null | undefined
  maxModelLen: number
  /**
   * The prompt was tokenized from text (chat, a string prompt). vLLM then tokenizes only up to the limit + 1,
   * so its message says "at least". An id prompt is counted exactly.
   */
  fromText: boolean
  /** Prompt length in characters (for the characters variant). */
  promptChars?: number
}

/**
 * vLLM's context-length checks with current message texts (vllm-protocol.md §0). Returns the effective
 * `max_tokens` (what is left of the context when none was sent). `context-variant:n` forces variant n.
 */
export function checkContextLength(request: ContextRequest, faults: FaultSet): number {
  const { inputTokens, maxModelLen } = request
  const requested = request.maxTokens ?? 0
  const forced = faults.get('context-variant')
  if (forced) throw contextError(forced.variant, request)
  if (requested > maxModelLen || inputTokens > maxModelLen - requested) {
    const counted = request.fromText && requested <= maxModelLen ? maxModelLen - requested + 1 : inputTokens
    throw tokensError(maxModelLen, requested, counted, request.fromText && requested <= maxModelLen)
  }
  const left = maxModelLen - inputTokens
  const effective = request.maxTokens == null ? left : Math.min(request.maxTokens, left)
  if (effective < 1) throw invalidParam(`max_tokens must be at least 1, got ${effective}.`, 'max_tokens', effective)
  return effective
}

function tokensError(maxModelLen: number, requested: number, input: number, atLeast: boolean): MockVLLMRequestError {
  const least = atLeast ? 'at least ' : ''
  return invalidParam(
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${requested} output tokens and your prompt contains ${least}${input} input tokens, for a total of ${least}${input + requested} tokens. Please reduce the length of the input prompt or the number of requested output tokens.`,
    'input_tokens',
    input
  )
}

/** Every message variant vLLM has used for a context overflow; always HTTP 400 with int `code`. */
function contextError(variant: ContextVariant, request: ContextRequest): MockVLLMRequestError {
  const { inputTokens: input, maxModelLen } = request
  const maxTokens = request.maxTokens ?? maxModelLen
  const over = Math.max(input, maxModelLen + 1)
  switch (variant) {
    case 1:
      return badRequest(
        `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${input} input tokens. Please reduce the length of the input messages.`
      )
    case 2:
      return badRequest(
        `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${input} input tokens (${maxTokens} > ${maxModelLen} - ${input}). (parameter=max_tokens, value=${maxTokens})`,
        'max_tokens'
      )
    case 3:
      return badRequest(
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${input + maxTokens} tokens (${input} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`
      )
    case 4:
      return invalidParam(
        `You passed ${input} input tokens and requested ${maxTokens} output tokens. However, the model's context length is only ${maxModelLen} tokens, resulting in a maximum input length of ${Math.max(0, maxModelLen - maxTokens)} tokens. Please reduce the length of the input prompt.`,
        'input_tokens',
        input
      )
    case 5: {
      const requested = request.maxTokens ?? 0
      return tokensError(maxModelLen, requested, Math.max(input, maxModelLen + 1 - requested), false)
    }
    case 6: {
      const requested = request.maxTokens ?? 0
      const budget = Math.max(0, maxModelLen - requested)
      const bound = budget * MAX_CHARS_PER_TOKEN
      const chars = Math.max(request.promptChars ?? 0, bound + 1)
      return invalidParam(
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${requested} output tokens and your prompt contains ${chars} characters (more than ${bound} characters, which is the upper bound for ${budget} input tokens). Please reduce the length of the input prompt or the number of requested output tokens.`,
        'input_text',
        chars
      )
    }
    case 7:
      return badRequest(
        `The decoder prompt (length ${over}) is longer than the maximum model length of ${maxModelLen}. Make sure that \`max_model_len\` is no smaller than the number of text tokens.`
      )
    case 8:
      return badRequest(`Input length (${over}) exceeds model's maximum context length (${maxModelLen}).`)
  }
}

/** The characters-per-token bound vLLM's pre-tokenization check multiplies by (Qwen3's longest piece). */
const MAX_CHARS_PER_TOKEN = 256
