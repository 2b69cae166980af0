import type { Attributes } from '@opentelemetry/api'
import type { TitoCallRecord } from './call-record.js'

/** Default span name: matched by Agent Lightning's default adapter regex `openai\.chat\.completion`. */
export const DEFAULT_SPAN_NAME = 'openai.chat.completion'

/**
 * The attributes of one model call's span: the Python package's four (`llm.token_count.*`,
 * `llm.hosted_vllm.*_token_ids`), Agent Lightning's `prompt_token_ids` / `response_token_ids` /
 * `gen_ai.response.id` / `logprobs.content`, GenAI-semconv usage, and the TITO status.
 * Ids are int arrays. `logprobs.content` names each token as vLLM's `return_tokens_as_token_ids` does
 * (`token_id:<id>`), since the decoded piece is not recorded. Nothing from the request headers (so never an API key).
 */
export function titoSpanAttributes(call: TitoCallRecord): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'vllm',
    'tito.status': call.status,
    'tito.call_index': call.callIndex,
    'tito.invocation_index': call.invocationIndex,
    'tito.attempt': call.attempt,
  }
  if (call.reasons.length > 0) a['tito.reasons'] = call.reasons.map((r) => `${r.code}: ${r.message}`)
  if (call.model) a['gen_ai.response.model'] = call.model
  if (call.responseId) a['gen_ai.response.id'] = call.responseId
  if (call.finishReason) a['gen_ai.response.finish_reasons'] = [call.finishReason]
  if (call.rolloutId) a['tito.rollout_id'] = call.rolloutId
  const prompt = call.promptTokenIds
  if (prompt) {
    a['llm.token_count.prompt'] = prompt.length
    a['llm.hosted_vllm.prompt_token_ids'] = prompt
    a.prompt_token_ids = prompt
  }
  const response = call.tokenIds
  if (response) {
    a['llm.token_count.completion'] = response.length
    a['llm.hosted_vllm.response_token_ids'] = response
    a.response_token_ids = response
  }
  const inputTokens = call.usage?.promptTokens ?? prompt?.length
  const outputTokens = call.usage?.completionTokens ?? response?.length
  if (inputTokens !== undefined) a['gen_ai.usage.input_tokens'] = inputTokens
  if (outputTokens !== undefined) a['gen_ai.usage.output_tokens'] = outputTokens
  if (call.logprobs && response && call.logprobs.length > 0) {
    a['logprobs.content'] = JSON.stringify(
      call.logprobs.map((logprob, i) => ({ token: `token_id:${response[i]}`, logprob }))
    )
  }
  if (call.toolUses.length > 0) {
    a['tito.tool_call_ids'] = call.toolUses.map((t) => t.id)
    a['tito.tool_call_names'] = call.toolUses.map((t) => t.name)
  }
  return a
}
