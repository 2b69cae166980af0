import { DeltaSink } from './delta-sink.js'
import { isPySpace, skipPySpace } from './py-space.js'
import { heldTagPrefixLength } from './tag-prefix.js'
import type { ParserContext, ResponseParser } from './types.js'

const THINK_START = '<think>'
const THINK_END = '</think>'
const TOOL_CALL = '<tool_call>'
const FUNCTION_OPEN = '<function'
const TAGS = [THINK_START, THINK_END, TOOL_CALL] as const

/**
 * vLLM's `qwen3` reasoning parser (current source, Qwen3 and Qwen3.5 templates), streaming:
 *
 * - thinking off (`enable_thinking: false` renders an empty think block into the prompt): all text is content,
 *   tags included, as vLLM's serving layer routes it when the prompt already ends reasoning;
 * - thinking on, and the prompt ends inside an open think block (or it is not known whether it does): the output
 *   starts inside reasoning whether or not the model writes `<think>` itself (Qwen3.5 and Qwen3-Thinking-2507
 *   templates put it into the prompt). `<think>` tags inside reasoning are dropped,
 *   `</think>` ends reasoning and everything after it is content, verbatim. With no `</think>` at all
 *   (cut by `max_tokens`) everything is reasoning;
 * - `<tool_call>` followed (after whitespace) by `<function=` or `<function ` ends reasoning implicitly
 *   (Qwen3.5 sometimes calls a tool without closing its think block): the tag and what follows are content,
 *   so the tool parser sees the call. A `<tool_call>` mentioned in reasoning without a function tag stays
 *   reasoning.
 *
 * Text is emitted as soon as it cannot be the start of one of these tags.
 */
export class Qwen3ReasoningParser implements ResponseParser {
  private readonly sink = new DeltaSink()
  private inReasoning: boolean
  /** Reasoning mode: a possible tag prefix, or a `<tool_call>` waiting to see whether `<function` follows. */
  private held = ''
  private toolCallPending = false
  /** The prompt did not open a think block: waiting for the first characters to say whether `<think>` opens one. */
  private opening: boolean

  constructor(ctx: Pick<ParserContext, 'thinking' | 'promptEndsInThink'>) {
    this.opening = ctx.thinking && ctx.promptEndsInThink === false
    this.inReasoning = ctx.thinking && !this.opening
  }

  push(text: string): ReturnType<ResponseParser['push']> {
    if (this.opening) {
      this.open(this.held + text, false)
    } else if (!this.inReasoning) {
      this.sink.content(text)
    } else if (this.held.length === 0 && text.indexOf('<') < 0) {
      this.sink.reasoning(text)
    } else {
      this.scan(this.held + text, false)
    }
    return this.sink.take()
  }

  finish(): ReturnType<ResponseParser['finish']> {
    if (this.opening) this.open(this.held, true)
    else if (this.inReasoning && this.held.length > 0) this.scan(this.held, true)
    return this.sink.take()
  }

  /** The start of an output whose prompt opened no think block: `<think>` first means reasoning, else content. */
  private open(text: string, final: boolean): void {
    this.held = ''
    if (!final && text.length < THINK_START.length && THINK_START.startsWith(text)) {
      this.held = text
      return
    }
    this.opening = false
    if (text.startsWith(THINK_START)) {
      this.inReasoning = true
      this.scan(text.slice(THINK_START.length), final)
    } else {
      this.sink.content(text)
    }
  }

  private scan(text: string, final: boolean): void {
    this.held = ''
    let at = 0
    while (at < text.length) {
      if (!this.inReasoning) {
        this.sink.content(text.slice(at))
        return
      }
      if (this.toolCallPending) {
        const verdict = functionFollows(text, at + TOOL_CALL.length, final)
        if (verdict === undefined) {
          this.held = text.slice(at)
          return
        }
        this.toolCallPending = false
        if (verdict) {
          this.inReasoning = false
          continue
        }
        this.sink.reasoning(TOOL_CALL)
        at += TOOL_CALL.length
        continue
      }
      const lt = text.indexOf('<', at)
      if (lt < 0) {
        this.sink.reasoning(text.slice(at))
        return
      }
      if (text.startsWith(THINK_END, lt)) {
        this.sink.reasoning(text.slice(at, lt))
        this.inReasoning = false
        at = lt + THINK_END.length
      } else if (text.startsWith(THINK_START, lt)) {
        this.sink.reasoning(text.slice(at, lt))
        at = lt + THINK_START.length
      } else if (text.startsWith(TOOL_CALL, lt)) {
        this.sink.reasoning(text.slice(at, lt))
        this.toolCallPending = true
        at = lt
      } else {
        const rest = text.slice(lt)
        if (!final && heldTagPrefixLength(rest, TAGS) === rest.length) {
          this.sink.reasoning(text.slice(at, lt))
          this.held = rest
          return
        }
        this.sink.reasoning(text.slice(at, lt + 1))
        at = lt + 1
      }
    }
  }
}

/** After `<tool_call>` at `from`: true when `<function=`/`<function ` follows, false when it cannot, undefined: wait. */
function functionFollows(text: string, from: number, final: boolean): boolean | undefined {
  const i = skipPySpace(text, from)
  const rest = text.slice(i, i + FUNCTION_OPEN.length + 1)
  if (rest.length > FUNCTION_OPEN.length) {
    if (!rest.startsWith(FUNCTION_OPEN)) return false
    const next = rest.charCodeAt(FUNCTION_OPEN.length)
    return next === 61 /* = */ || isPySpace(next)
  }
  if (final) return false
  return FUNCTION_OPEN.startsWith(rest) ? undefined : false
}
