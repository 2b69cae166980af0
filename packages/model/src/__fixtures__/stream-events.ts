import { Message, type ModelStreamEvent, type StreamOptions, TextBlock } from '@strands-agents/sdk'
import { getVLLMResponseFields, type VLLMResponseFields } from '../tito-fields.js'
import type { VLLMModel } from '../vllm-model.js'

/** A one-message conversation. */
export const user = (text: string): Message[] => [new Message({ role: 'user', content: [new TextBlock(text)] })]

/** Every event of one `model.stream()` call. */
export async function collect(
  model: VLLMModel,
  messages: Message[],
  options?: StreamOptions
): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = []
  for await (const event of model.stream(messages, options)) events.push(event)
  return events
}

/** The tito fields on the call's `modelMessageStopEvent` (throws when there are none). */
export function fieldsOf(events: readonly unknown[]): VLLMResponseFields {
  const stop = events.find((e) => (e as { type?: unknown }).type === 'modelMessageStopEvent') as
    | { additionalModelResponseFields?: unknown }
    | undefined
  const fields = getVLLMResponseFields(stop?.additionalModelResponseFields)
  if (!fields) throw new Error('no VLLMResponseFields on the stop event')
  return fields
}

/** The error one call fails with (throws when it succeeds). */
export async function failure(model: VLLMModel, messages: Message[], options?: StreamOptions): Promise<unknown> {
  try {
    await collect(model, messages, options)
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}
