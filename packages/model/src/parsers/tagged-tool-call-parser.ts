import { DeltaSink } from './delta-sink.js'
import { skipPySpace } from './py-space.js'
import { heldTagPrefixLength } from './tag-prefix.js'
import { newToolCallId } from './tool-call-id.js'
import type { ParserContext, ResponseParser } from './types.js'

export const TOOL_CALL_START = '<tool_call>'
export const TOOL_CALL_END = '</tool_call>'
const START_TAGS = [TOOL_CALL_START] as const

/** A tool call read from one `<tool_call>` block: the function name and its JSON arguments text. */
export interface ParsedToolCall {
  name: string
  arguments: string
}

/** What differs between formats that wrap each call in `<tool_call>` … `</tool_call>` (hermes, qwen3_coder). */
export interface ToolCallFormat {
  /**
   * `body` (the text after `<tool_call>`) has a `</tool_call>` at `close`. `'close'`: it ends the call;
   * `'literal'`: it is text inside the call, look for the next one; `'wait'`: decide when more text has arrived.
   * With `final` (no more text will come) the answer is never `'wait'`.
   */
  classifyClose(body: string, close: number, final: boolean): 'close' | 'literal' | 'wait'
  /** The call in a closed block, or undefined to keep the block (tags included) as content. */
  parseClosed(body: string): ParsedToolCall | undefined
  /** The output ended inside a block: a call only when the body is already complete, else undefined (content). */
  parseUnclosed(body: string): ParsedToolCall | undefined
}

/**
 * The streaming half shared by tag-wrapped tool-call formats. Content before a call streams live, holding
 * back only a possible `<tool_call>` prefix. A call is emitted as one delta (id, name, complete arguments)
 * when its block closes. Whitespace right after a call is not content (vLLM drops it); text after or between
 * calls that is more than whitespace is content, so nothing the model wrote disappears.
 */
export class TaggedToolCallParser implements ResponseParser {
  private readonly sink = new DeltaSink()
  private readonly format: ToolCallFormat
  private readonly newId: () => string
  private index = 0
  /** Text state: a possible `<tool_call>` prefix, or whitespace after a call that may yet be dropped. */
  private held = ''
  private afterCall = false
  private inCall = false
  // Call state. The body is kept as pieces: joining it on every push would copy it each time (quadratic).
  private chunks: string[] = []
  private bodyLength = 0
  /** The last `TOOL_CALL_END.length - 1` characters of the body, so a closing tag split across pieces is found. */
  private tail = ''
  private searchFrom = 0
  /** Positions of `</tool_call>` in the body not yet classified, in order. */
  private candidates: number[] = []

  constructor(format: ToolCallFormat, ctx: Pick<ParserContext, 'newToolCallId'>) {
    this.format = format
    this.newId = ctx.newToolCallId ?? newToolCallId
  }

  push(text: string): ReturnType<ResponseParser['push']> {
    if (!this.inCall && this.held.length === 0 && !this.afterCall && text.indexOf('<') < 0) {
      this.sink.content(text)
    } else {
      this.feed(text, false)
    }
    return this.sink.take()
  }

  finish(): ReturnType<ResponseParser['finish']> {
    this.feed('', true)
    return this.sink.take()
  }

  private feed(input: string, final: boolean): void {
    let text = input
    for (;;) {
      if (!this.inCall) {
        const s = this.held + text
        this.held = ''
        const start = s.indexOf(TOOL_CALL_START)
        if (start < 0) {
          this.emitText(s, final ? 0 : heldTagPrefixLength(s, START_TAGS), final)
          return
        }
        this.emitText(s.slice(0, start), 0, true)
        this.openCall()
        text = s.slice(start + TOOL_CALL_START.length)
        if (text.length === 0 && !final) return
      }
      this.appendBody(text)
      const close = this.findClose(final)
      if (close < 0) {
        if (final) {
          const body = this.body()
          this.inCall = false
          this.deliver(body, this.format.parseUnclosed(body), false)
        }
        return
      }
      const body = this.body()
      this.inCall = false
      this.deliver(body.slice(0, close), this.format.parseClosed(body.slice(0, close)), true)
      text = body.slice(close + TOOL_CALL_END.length)
      if (text.length === 0 && !final) return
    }
  }

  /** Emits `s` minus its last `hold` characters (kept for the next piece); drops whitespace right after a call. */
  private emitText(s: string, hold: number, final: boolean): void {
    const end = s.length - hold
    let from = 0
    if (this.afterCall) {
      // A held tag prefix starts with `<`, so the whitespace never runs into it.
      from = skipPySpace(s, 0)
      if (from >= end) {
        // Nothing but whitespace yet: it is not content whatever follows, so it is not kept either.
        if (!final && hold > 0) this.held = s.slice(end)
        return
      }
      this.afterCall = false
    }
    this.sink.content(s.slice(from, end))
    if (hold > 0) this.held = s.slice(end)
  }

  private deliver(body: string, call: ParsedToolCall | undefined, closed: boolean): void {
    if (call) {
      this.sink.toolCall(this.index++, this.newId(), call.name, call.arguments)
      this.afterCall = true
    } else {
      this.sink.content(TOOL_CALL_START + body + (closed ? TOOL_CALL_END : ''))
      this.afterCall = false
    }
  }

  private openCall(): void {
    this.inCall = true
    this.chunks = []
    this.bodyLength = 0
    this.tail = ''
    this.searchFrom = 0
    this.candidates = []
  }

  private appendBody(text: string): void {
    if (text.length === 0) return
    this.chunks.push(text)
    const window = this.tail + text
    const windowStart = this.bodyLength - this.tail.length
    this.bodyLength += text.length
    let at = Math.max(0, this.searchFrom - windowStart)
    for (;;) {
      const found = window.indexOf(TOOL_CALL_END, at)
      if (found < 0) break
      this.candidates.push(windowStart + found)
      at = found + TOOL_CALL_END.length
    }
    this.searchFrom = Math.max(windowStart + at, this.bodyLength - (TOOL_CALL_END.length - 1))
    this.tail = window.slice(-(TOOL_CALL_END.length - 1))
  }

  /** The first `</tool_call>` that ends the call, or -1 (none yet, or the next one is undecided). */
  private findClose(final: boolean): number {
    while (this.candidates.length > 0) {
      const candidate = this.candidates[0]!
      const verdict = this.format.classifyClose(this.body(), candidate, final)
      if (verdict === 'close') return candidate
      if (verdict === 'wait') return -1
      this.candidates.shift()
    }
    return -1
  }

  private body(): string {
    if (this.chunks.length !== 1) this.chunks = [this.chunks.join('')]
    return this.chunks[0]!
  }
}
