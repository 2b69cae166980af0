import type { ToolDefinition, ToolParserName } from '../types.js'
import { extractHermes, HermesStream, hermesToolCallId } from './hermes.js'
import { extractQwen3Coder, Qwen3CoderStream } from './qwen3-coder.js'
import { splitReasoning } from './qwen3-reasoning.js'
import type { DeltaParts, ParsedToolCall, Span, ToolStreamParser } from './types.js'

/** Which of vLLM's parsers run on one choice. */
export interface OutputParsing {
  reasoningParser: 'qwen3' | null
  /** The tool parser, when tools are offered under auto tool choice; otherwise null. */
  toolParser: ToolParserName | null
  /** A named `tool_choice`: the content is that tool's arguments JSON. */
  namedTool?: string | undefined
  tools: readonly ToolDefinition[]
  /** `enable_thinking` (an unclosed `<think>` is reasoning only when thinking is on). */
  thinking: boolean
}

/** The parsed message of a finished choice (non-streaming view). */
export interface MessageParts {
  reasoning: string | null
  content: string | null
  toolCalls: ParsedToolCall[]
}

function reasoningOf(text: string, parsing: OutputParsing): { reasoning: Span | null; contentStart: number } {
  return parsing.reasoningParser === 'qwen3'
    ? splitReasoning(text, parsing.thinking)
    : { reasoning: null, contentStart: 0 }
}

/**
 * vLLM's non-streaming output path: reasoning parser, then the tool parser on the content. With tool calls,
 * content is the text before the first call and whitespace-only content is `null`; a named tool choice gives
 * `content: ""` and the raw arguments.
 */
export function parseMessage(text: string, parsing: OutputParsing): MessageParts {
  const { reasoning, contentStart } = reasoningOf(text, parsing)
  const reasoningText = reasoning ? text.slice(reasoning[0], reasoning[1]) : null
  const rest = text.slice(contentStart)
  if (parsing.namedTool !== undefined) {
    return {
      reasoning: reasoningText,
      content: '',
      toolCalls: [{ name: parsing.namedTool, arguments: rest.trimStart() }],
    }
  }
  const found =
    rest && parsing.toolParser === 'hermes'
      ? extractHermes(rest)
      : rest && parsing.toolParser === 'qwen3_coder'
        ? extractQwen3Coder(rest, parsing.tools)
        : undefined
  if (found && found.calls.length > 0) {
    const content = found.content?.trim() ? found.content : null
    return { reasoning: reasoningText, content, toolCalls: found.calls }
  }
  return { reasoning: reasoningText, content: rest || null, toolCalls: [] }
}

/**
 * vLLM's streaming output path for one choice: `advance(to)` says what the text up to character `to` adds —
 * reasoning and content deltas, and tool-call deltas from the streaming tool parser (which can differ from the
 * non-streaming view: raw arguments, malformed JSON still a tool call).
 */
export class StreamView {
  private at = 0
  private readonly reasoning: Span | null
  private readonly contentStart: number
  private readonly argsStart: number
  private readonly tools: ToolStreamParser | undefined
  private namedOpened = false
  /** A tool-call delta went out (auto tool choice then finishes `tool_calls`). */
  toolsStreamed = false

  constructor(
    private readonly text: string,
    private readonly parsing: OutputParsing
  ) {
    const split = reasoningOf(text, parsing)
    this.reasoning = split.reasoning
    this.contentStart = split.contentStart
    const rest = text.slice(split.contentStart)
    this.argsStart = split.contentStart + (rest.length - rest.trimStart().length)
    if (parsing.namedTool === undefined && parsing.toolParser === 'hermes') this.tools = new HermesStream()
    else if (parsing.namedTool === undefined && parsing.toolParser === 'qwen3_coder')
      this.tools = new Qwen3CoderStream(parsing.tools)
  }

  advance(to: number, finished: boolean): DeltaParts {
    const { text } = this
    const from = this.at
    this.at = to
    const delta: DeltaParts = {}
    if (this.reasoning) {
      const reasoning = text.slice(Math.max(this.reasoning[0], from), Math.min(this.reasoning[1], to))
      if (reasoning) delta.reasoning = reasoning
    }
    if (to <= this.contentStart) return delta
    const named = this.parsing.namedTool
    if (named !== undefined) {
      const args = text.slice(Math.max(this.argsStart, from), to)
      if (!this.namedOpened && (args || finished)) {
        this.namedOpened = true
        delta.toolCalls = [
          { index: 0, id: hermesToolCallId(), type: 'function', function: { name: named, arguments: args } },
        ]
      } else if (args) {
        delta.toolCalls = [{ index: 0, function: { arguments: args } }]
      }
    } else if (this.tools) {
      const parts = this.tools.advance(text.slice(this.contentStart, to), finished)
      if (parts.content) delta.content = parts.content
      if (parts.toolCalls) delta.toolCalls = parts.toolCalls
    } else {
      const content = text.slice(Math.max(this.contentStart, from), to)
      if (content) delta.content = content
    }
    if (delta.toolCalls) this.toolsStreamed = true
    return delta
  }
}
