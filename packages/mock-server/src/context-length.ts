import { badRequest, VLLMRequestError } from './errors.js'
import type { FaultSet } from './faults.js'

/**
 * vLLM's context-length checks, with its message texts (vllm-protocol.md §11). Returns the effective
 * `max_tokens` (vLLM's default is whatever room is left). `context-variant` forces variant n.
 */
export function checkContextLength(
  inputTokens: number,
  maxTokens: number | null | undefined,
  maxModelLen: number,
  faults: FaultSet
): number {
  const forced = faults.get('context-variant')
  if (forced) throw contextError(forced.variant, inputTokens, maxTokens ?? maxModelLen, maxModelLen)
  if (inputTokens >= maxModelLen) throw contextError(1, inputTokens, maxTokens ?? 0, maxModelLen)
  if (maxTokens == null) return maxModelLen - inputTokens
  if (inputTokens + maxTokens > maxModelLen) throw contextError(2, inputTokens, maxTokens, maxModelLen)
  return maxTokens
}

/** The four message variants vLLM has used for a context overflow; always HTTP 400 with int `code`. */
export function contextError(
  variant: 1 | 2 | 3 | 4,
  input: number,
  maxTokens: number,
  maxModelLen: number
): VLLMRequestError {
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
      return new VLLMRequestError(
        400,
        `You passed ${input} input tokens and requested ${maxTokens} output tokens. However, the model's context length is only ${maxModelLen} tokens, resulting in a maximum input length of ${Math.max(0, maxModelLen - maxTokens)} tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=${input})`,
        { param: 'input_tokens' }
      )
  }
}
