import type { WireCompletion } from '../wire.js'
import type { CallSink } from './call-sink.js'
import { wirePayloadError } from './wire-error.js'

/**
 * Streaming `/v1/completions` (token-in): the payloads of one network read. Ids and prompt ids sit on the
 * choice; the raw text goes through the sink's parser into the mapper.
 */
export function readCompletionsBatch(batch: readonly string[], sink: CallSink): void {
  for (let b = 0; b < batch.length; b++) {
    const data = batch[b]!
    if (data === '[DONE]') {
      sink.done = true
      return
    }
    readCompletion(JSON.parse(data) as WireCompletion, sink)
  }
}

/** One completions chunk, or a whole non-streaming completions body (the shapes are the same). */
export function readCompletion(chunk: WireCompletion, sink: CallSink): void {
  if (chunk.error) throw wirePayloadError(chunk.error)
  if (sink.capture.responseId === null) sink.responseMeta(chunk.id, chunk.model)
  if (chunk.usage) sink.usage = chunk.usage
  const choices = chunk.choices
  if (!choices) return
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i]!
    if (!sink.capture.addCompletionChoice(choice)) continue
    if (choice.text) sink.text(choice.text)
    const finish = choice.finish_reason
    if (finish) sink.finish(finish, choice.stop_reason)
  }
}
