import type { WireCompletion } from '../wire.js'
import type { CallSink } from './call-sink.js'
import { readCompletion } from './completions-sse.js'

/** Non-streaming `/v1/completions`: per-choice ids, `token_logprobs` / `tokens`, the text through the parser. */
export function readCompletionsJson(text: string, sink: CallSink): void {
  readCompletion(JSON.parse(text) as WireCompletion, sink)
}
