import { isDeepStrictEqual } from 'node:util'
import {
  type ContentBlock,
  Message,
  type ModelStreamEvent,
  ReasoningBlock,
  TextBlock,
  ToolUseBlock,
} from '@strands-agents/sdk'
import { formatMessages } from '../request/format-messages.js'
import type { WireMessage } from '../wire.js'

/** The SDK's placeholder for a tool-use name that fails its name check (it renames before calling the model). */
const INVALID_TOOL_NAME = 'INVALID_TOOL_NAME'
const VALID_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * Rebuilds, from the events this call emitted, the assistant message the agent will send back next turn,
 * aggregated the way the SDK aggregates (a block per start/stop, whitespace-only text dropped) and formatted by the
 * same `formatMessages`. Token-in compares it with what comes back to know the history still extends.
 */
export class AssistantCollector {
  private readonly blocks: ContentBlock[] = []
  private text = ''
  private reasoning: string | undefined
  private tool: { name: string; toolUseId: string } | undefined
  private input = ''

  observe(event: ModelStreamEvent): void {
    switch (event.type) {
      case 'modelContentBlockStartEvent':
        this.text = ''
        this.reasoning = undefined
        this.input = ''
        this.tool =
          event.start?.type === 'toolUseStart'
            ? { name: event.start.name, toolUseId: event.start.toolUseId }
            : undefined
        break
      case 'modelContentBlockDeltaEvent': {
        const delta = event.delta
        if (delta.type === 'textDelta') this.text += delta.text
        else if (delta.type === 'reasoningContentDelta') this.reasoning = (this.reasoning ?? '') + (delta.text ?? '')
        else if (delta.type === 'toolUseInputDelta') this.input += delta.input
        break
      }
      case 'modelContentBlockStopEvent':
        this.blocks.push(this.block())
        this.tool = undefined
        break
      default:
        break
    }
  }

  /** The assistant message as the next call's `formatMessages` will produce it. */
  message(warn: (message: string) => void): WireMessage {
    const content = this.blocks.filter((b) => !(b.type === 'textBlock' && b.text.trim() === ''))
    const [message] = formatMessages([new Message({ role: 'assistant', content })], warn)
    return message!
  }

  private block(): ContentBlock {
    if (this.tool) {
      return new ToolUseBlock({ ...this.tool, input: this.input ? JSON.parse(this.input) : {} })
    }
    if (this.reasoning !== undefined) return new ReasoningBlock({ text: this.reasoning })
    return new TextBlock(this.text)
  }
}

/**
 * The message the agent sent back is the one this call produced, allowing for the SDK's rename of a sampled tool
 * name that fails its check (`INVALID_TOOL_NAME`): the ids keep what was sampled either way.
 */
export function sameAssistant(received: WireMessage | undefined, expected: WireMessage): boolean {
  if (received?.role !== 'assistant' || expected.role !== 'assistant') return false
  const got = received.tool_calls
  const want = expected.tool_calls
  if (!got || !want || got.length !== want.length) return isDeepStrictEqual(received, expected)
  const renamed = want.map((call, i) =>
    got[i]?.function.name === INVALID_TOOL_NAME && !VALID_TOOL_NAME.test(call.function.name)
      ? { ...call, function: { ...call.function, name: INVALID_TOOL_NAME } }
      : call
  )
  return isDeepStrictEqual(received, { ...expected, tool_calls: renamed })
}
