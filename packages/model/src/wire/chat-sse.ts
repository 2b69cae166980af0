import type { WireChunk } from '../wire.js'
import type { CallSink } from './call-sink.js'
import { wirePayloadError } from './wire-error.js'

/**
 * Streaming `/v1/chat/completions`: the `data` payloads of one network read (see `readSSEBatches`), every chunk
 * straight into the capture and the mapper. Synchronous, so a read costs one pass and no extra async hop.
 */
export function readChatBatch(batch: readonly string[], sink: CallSink): void {
  for (let b = 0; b < batch.length; b++) {
    const data = batch[b]!
    if (data === '[DONE]') {
      sink.done = true
      return
    }
    readChatChunk(JSON.parse(data) as WireChunk, sink)
  }
}

function readChatChunk(chunk: WireChunk, sink: CallSink): void {
  if (chunk.error) throw wirePayloadError(chunk.error)
  const capture = sink.capture
  if (capture.responseId === null) sink.responseMeta(chunk.id, chunk.model)
  const prompt = chunk.prompt_token_ids
  if (prompt !== undefined && prompt !== null) capture.addPromptTokenIds(prompt)
  if (chunk.usage) sink.usage = chunk.usage
  const choices = chunk.choices
  if (!choices) return
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i]!
    if (!capture.addChoice(choice)) continue
    if (choice.delta) sink.mapper.delta(choice.delta)
    const finish = choice.finish_reason
    if (finish) sink.finish(finish, choice.stop_reason)
  }
}
