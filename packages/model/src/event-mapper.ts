import type { ModelStreamEvent, StopReason } from '@strands-agents/sdk'
import { VLLMStreamError } from './errors.js'
import { makeInvalidToolInput } from './invalid-tool-input.js'
import type { WireDelta, WireToolCallDelta } from './wire.js'

interface ToolCallState {
  index: number
  id: string | undefined
  name: string | undefined
  args: string
  started: boolean
  closed: boolean
}

/** Called once per tool call whose arguments are not valid JSON. */
export type InvalidToolInputListener = (name: string, raw: string, error: string) => void

/**
 * Turns vLLM deltas into Strands block events, one block at a time (the SDK's aggregator
 * resets on every block start, so a block left open is lost). Text and reasoning stream
 * live. Each tool call is its own block, opened as soon as its name and id are known;
 * its arguments are buffered and emitted as one delta when the call is complete, because
 * only then can invalid JSON be replaced by the invalid-input marker before the SDK parses it.
 */
export class EventMapper {
  /** Events produced since the caller last drained it (the caller empties it after yielding). */
  readonly out: ModelStreamEvent[] = []
  private open: 'text' | 'reasoning' | undefined
  private current: ToolCallState | undefined
  private readonly calls: ToolCallState[] = []
  private readonly onInvalid: InvalidToolInputListener

  constructor(onInvalid: InvalidToolInputListener) {
    this.onInvalid = onInvalid
  }

  get toolCallCount(): number {
    return this.calls.length
  }

  delta(delta: WireDelta): void {
    const reasoning = delta.reasoning ?? delta.reasoning_content
    if (reasoning) this.text('reasoning', reasoning)
    const content = delta.content
    if (content) this.text('text', content)
    const toolCalls = delta.tool_calls
    if (toolCalls) for (let i = 0; i < toolCalls.length; i++) this.toolCall(toolCalls[i]!)
  }

  /** Closes whatever block is open (at `finish_reason` and at the end of the stream). */
  closeAll(): void {
    this.closeTool()
    this.closeText()
  }

  private text(kind: 'text' | 'reasoning', text: string): void {
    const out = this.out
    if (this.open !== kind) {
      this.closeTool()
      this.closeText()
      out.push({ type: 'modelContentBlockStartEvent' })
      this.open = kind
    } else {
      // Deltas of one block that arrived in the same network read become one event.
      const last = out[out.length - 1]
      if (last?.type === 'modelContentBlockDeltaEvent') {
        const delta = last.delta
        if (delta.type === 'textDelta' || delta.type === 'reasoningContentDelta') {
          delta.text = (delta.text ?? '') + text
          return
        }
      }
    }
    out.push({
      type: 'modelContentBlockDeltaEvent',
      delta: kind === 'text' ? { type: 'textDelta', text } : { type: 'reasoningContentDelta', text },
    })
  }

  private closeText(): void {
    if (this.open === undefined) return
    this.out.push({ type: 'modelContentBlockStopEvent' })
    this.open = undefined
  }

  private toolCall(delta: WireToolCallDelta): void {
    const index = typeof delta.index === 'number' ? delta.index : (this.current?.index ?? this.calls.length)
    let call = this.calls.find((c) => c.index === index)
    if (call?.closed) {
      throw new VLLMStreamError(
        `vLLM sent arguments for tool call index ${index} after that call's block was closed (interleaved tool-call deltas are not supported)`
      )
    }
    if (!call) {
      call = { index, id: undefined, name: undefined, args: '', started: false, closed: false }
      this.calls.push(call)
    }
    if (call !== this.current) {
      this.closeTool()
      this.closeText()
      this.current = call
    }
    if (!call.id && delta.id) call.id = delta.id
    const fn = delta.function
    if (fn) {
      if (!call.name && fn.name) call.name = fn.name
      if (fn.arguments) call.args += fn.arguments
    }
    if (!call.started && call.id && call.name) this.startTool(call)
  }

  private startTool(call: ToolCallState): void {
    call.started = true
    this.out.push({
      type: 'modelContentBlockStartEvent',
      start: { type: 'toolUseStart', name: call.name ?? '', toolUseId: call.id ?? `call_missing_id_${call.index}` },
    })
  }

  private closeTool(): void {
    const call = this.current
    if (!call) return
    this.current = undefined
    call.closed = true
    if (!call.started) this.startTool(call)
    let input = call.args
    if (input.length > 0) {
      try {
        JSON.parse(input)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        this.onInvalid(call.name ?? '', input, message)
        input = JSON.stringify(makeInvalidToolInput(input, message))
      }
      this.out.push({ type: 'modelContentBlockDeltaEvent', delta: { type: 'toolUseInputDelta', input } })
    }
    this.out.push({ type: 'modelContentBlockStopEvent' })
  }
}

/**
 * vLLM finish reason → Strands stop reason. A named `tool_choice` makes vLLM finish with
 * `stop` even though it streamed tool calls; those calls must still run, so `stop` with
 * collected calls is `toolUse`. `tool_calls` without any collected call is `endTurn`.
 */
export function mapStopReason(finishReason: string | null, toolCallCount: number): StopReason {
  switch (finishReason) {
    case 'tool_calls':
    case 'stop':
      return toolCallCount > 0 ? 'toolUse' : 'endTurn'
    case 'length':
      return 'maxTokens'
    case 'content_filter':
      return 'contentFiltered'
    default:
      return 'endTurn'
  }
}
