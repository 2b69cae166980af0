import type { WireChunk } from '../wire.js'
import type { CallSink } from './call-sink.js'
import { readSSEBatches } from './sse-batches.js'
import { wirePayloadError } from './wire-error.js'

/**
 * Streaming `/v1/chat/completions`: every chunk straight into the capture and the mapper. Yields once per
 * network read, after the events of that read are in `sink.mapper.out`.
 */
export async function* readChatSSE(
  body: ReadableStream<Uint8Array>,
  sink: CallSink,
  idleTimeoutMs: number | undefined
): AsyncGenerator<void> {
  for await (const batch of readSSEBatches(body, idleTimeoutMs)) {
    for (let b = 0; b < batch.length; b++) {
      const data = batch[b]!
      if (data === '[DONE]') {
        sink.done = true
        break
      }
      readChatChunk(JSON.parse(data) as WireChunk, sink)
    }
    yield
    if (sink.done) return
  }
}

function readChatChunk(chunk: WireChunk, sink: CallSink): void {
  if (chunk.error) throw wirePayloadError(chunk.error)
  const capture = sink.capture
  sink.responseMeta(chunk.id, chunk.model)
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
