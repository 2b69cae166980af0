import type { EventMapper } from '../event-mapper.js'
import type { TokenCapture } from '../token-capture.js'
import type { WireDelta, WireUsage } from '../wire.js'

/**
 * Turns raw completion text into chat-style deltas: structurally the `ResponseParser` of `../parsers` (kept
 * structural here so the wire layer does not depend on which parsers exist).
 */
export interface CompletionTextParser {
  push(text: string): WireDelta[]
  finish(): WireDelta[]
}

/**
 * What a wire reader feeds: the capture (ids, logprobs, checks) and the event mapper (Strands events), plus the
 * few facts the model needs after the read. Readers call into it directly, so the streaming hot path allocates
 * no normalized per-chunk object.
 */
export class CallSink {
  usage: WireUsage | undefined
  /** A finish reason arrived for choice 0. */
  finished = false
  /** `[DONE]` arrived. */
  done = false
  readonly capture: TokenCapture
  readonly mapper: EventMapper
  private readonly parser: CompletionTextParser | undefined

  constructor(capture: TokenCapture, mapper: EventMapper, parser?: CompletionTextParser) {
    this.capture = capture
    this.mapper = mapper
    this.parser = parser
  }

  /** Raw completion text (completions endpoints): through the parser into the mapper. */
  text(text: string): void {
    const parser = this.parser
    if (!parser) {
      this.mapper.delta({ content: text })
      return
    }
    const deltas = parser.push(text)
    for (let i = 0; i < deltas.length; i++) this.mapper.delta(deltas[i]!)
  }

  finish(finishReason: string, stopReason: number | string | null | undefined): void {
    if (this.parser) {
      const deltas = this.parser.finish()
      for (let i = 0; i < deltas.length; i++) this.mapper.delta(deltas[i]!)
    }
    this.finished = true
    this.capture.finish(finishReason, stopReason)
    this.mapper.closeAll()
  }

  responseMeta(id: string | undefined, model: string | undefined): void {
    const capture = this.capture
    if (capture.responseId === null && id) {
      capture.responseId = id
      capture.model = model ?? null
    }
  }
}
