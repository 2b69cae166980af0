import type { Attributes } from '@opentelemetry/api'
import type { TitoCallRecord } from './call-record.js'

/** Default span name: matched by Agent Lightning's default adapter regex `openai\.chat\.completion`. */
export const DEFAULT_SPAN_NAME = 'openai.chat.completion'

/**
 * Name a call's span ends with when it must not be trained on (not `exact`, or superseded by a retry).
 * It does not contain `openai.chat.completion`: Agent Lightning v0.3's adapter matches that substring and
 * ignores span status, so a failed or cut call under the LLM name would become training data.
 */
export const DEFAULT_UNTRAINABLE_SPAN_NAME = 'strands_vllm.untrainable_call'

/** One entry of `logprobs.content`, shaped like the OpenAI `choices[0].logprobs.content` Agent Lightning v0.3 reads. */
export interface LogprobContentEntry {
  token: string
  logprob: number
  /** UTF-8 bytes of the token text; null when the text is unknown (`token_id:<id>` naming). */
  bytes: number[] | null
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>
}

const utf8 = new TextEncoder()

/**
 * The call's logprobs as `{token, logprob, bytes, top_logprobs}` entries, one per sampled id, or undefined when
 * there are none or they do not line up with the ids (a count mismatch or a non-finite value): misaligned logprobs
 * are never paired with ids. The token text is the server's (`logprobTokens`) when recorded and aligned, else
 * `token_id:<id>` (vLLM's `return_tokens_as_token_ids` naming).
 */
export function logprobContent(call: TitoCallRecord): LogprobContentEntry[] | undefined {
  const ids = call.tokenIds
  const logprobs = call.logprobs
  if (!ids || !logprobs || logprobs.length === 0 || logprobs.length !== ids.length) return undefined
  if (!logprobs.every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined
  const texts = call.logprobTokens?.length === ids.length ? call.logprobTokens : undefined
  const tops = call.topLogprobs?.length === ids.length ? call.topLogprobs : undefined
  return logprobs.map((logprob, i) => {
    const text = texts?.[i]
    return {
      token: text ?? `token_id:${ids[i]}`,
      logprob,
      bytes: text === undefined ? null : Array.from(utf8.encode(text)),
      top_logprobs: (tops?.[i] ?? [])
        .filter((t) => Number.isFinite(t.logprob))
        .map((t) => ({ token: t.token, logprob: t.logprob, bytes: Array.from(utf8.encode(t.token)) })),
    }
  })
}

/**
 * The attributes of one model call's span: the Python package's four (`llm.token_count.*`,
 * `llm.hosted_vllm.*_token_ids`), Agent Lightning's `prompt_token_ids` / `response_token_ids` /
 * `gen_ai.response.id` / `logprobs.content`, GenAI-semconv usage, and the TITO status.
 * Ids are int arrays. Nothing from the request headers (so never an API key).
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
  if (call.mode) a['tito.mode'] = call.mode
  if (call.transport) a['tito.transport'] = call.transport
  if (call.sessionId) a['tito.session_id'] = call.sessionId
  if (call.pauses && call.pauses.length > 0) {
    a['tito.pauses'] = call.pauses.length
    a['tito.paused_ms'] = call.pauses.reduce((n, p) => n + p.waitedMs, 0)
  }
  if (call.tokenIn) {
    a['tito.token_in.prompt'] = call.tokenIn.prompt
    if (call.tokenIn.renderReason) a['tito.token_in.render_reason'] = call.tokenIn.renderReason
    if (call.tokenIn.bridgeLength !== null) a['tito.token_in.bridge_length'] = call.tokenIn.bridgeLength
  }
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
  const content = logprobContent(call)
  if (content) a['logprobs.content'] = JSON.stringify(content)
  if (call.toolUses.length > 0) {
    a['tito.tool_call_ids'] = call.toolUses.map((t) => t.id)
    a['tito.tool_call_names'] = call.toolUses.map((t) => t.name)
  }
  return a
}
