import type { WireChatJson, WireDelta } from '../wire.js'
import type { CallSink } from './call-sink.js'
import { wirePayloadError } from './wire-error.js'

/**
 * Non-streaming `/v1/chat/completions`: one body, the same checks (top-level `prompt_token_ids`, per-choice
 * `token_ids` and `logprobs.content`) and the same events as the stream, emitted at once.
 */
export function readChatJson(text: string, sink: CallSink): void {
  const body = JSON.parse(text) as WireChatJson
  if (body.error) throw wirePayloadError(body.error)
  const capture = sink.capture
  sink.responseMeta(body.id, body.model)
  if (body.prompt_token_ids !== undefined && body.prompt_token_ids !== null) {
    capture.addPromptTokenIds(body.prompt_token_ids)
  }
  if (body.usage) sink.usage = body.usage
  const choices = body.choices ?? []
  for (const choice of choices) {
    if (!capture.addChoice(choice)) continue
    const message = choice.message
    if (message) sink.mapper.delta(messageDelta(message))
    if (choice.finish_reason) sink.finish(choice.finish_reason, choice.stop_reason)
  }
}

/** A whole message as one delta; tool calls get their list position as index (the JSON shape has none). */
function messageDelta(message: NonNullable<WireChatJson['choices']>[number]['message'] & object): WireDelta {
  const calls = message.tool_calls
  return {
    content: message.content ?? null,
    reasoning: message.reasoning ?? null,
    reasoning_content: message.reasoning_content ?? null,
    tool_calls: Array.isArray(calls) ? calls.map((call, index) => ({ ...call, index })) : null,
  }
}
