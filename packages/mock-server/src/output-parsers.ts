import { pyJsonDumps } from './py-json.js'

/** A half-open `[start, end)` span of the generated text. */
export type Span = readonly [number, number]

/** One tool call found in the generated text, with where its parts sit (for streaming). */
export interface ParsedToolCall {
  name: string
  /** Re-dumped JSON (hermes: `json.dumps(args, ensure_ascii=False)`), or the raw text for a named tool choice. */
  arguments: string
  /** The name is known once the text reaches here. */
  nameEnd: number
  argsStart: number
  argsEnd: number
  /** After `</tool_call>` (or the end of text). */
  end: number
}

/** Where the parsers put each part of the generated text. Non-streaming and streaming views both derive from it. */
export interface OutputLayout {
  text: string
  reasoning: Span | null
  content: Span[]
  toolCalls: ParsedToolCall[]
}

export interface ParserOptions {
  reasoningParser: 'qwen3' | null
  /** Run the hermes tool parser (tools offered, parser configured, `tool_choice` not `none`). */
  toolParser: 'hermes' | null
  /** A named `tool_choice`: the whole content is that tool's arguments. */
  namedTool?: string | undefined
}

const THINK_START = '<think>'
const THINK_END = '</think>'
const CALL_START = '<tool_call>'
const CALL_END = '</tool_call>'

/**
 * vLLM's output path for Qwen3: the qwen3 reasoning parser (`<think>…</think>` → reasoning; text after
 * `</think>` is content, leading newlines kept), then the hermes tool parser on the content.
 */
export function parseOutput(text: string, options: ParserOptions): OutputLayout {
  let contentStart = 0
  let reasoning: Span | null = null
  if (options.reasoningParser === 'qwen3') {
    const start = text.startsWith(THINK_START) ? THINK_START.length : 0
    const end = text.indexOf(THINK_END, start)
    if (end >= 0) {
      reasoning = [start, end]
      contentStart = end + THINK_END.length
    } else if (start > 0) {
      reasoning = [start, text.length]
      contentStart = text.length
    }
  }
  const rest: Span = [contentStart, text.length]
  if (options.namedTool !== undefined) {
    // Structured output starts at the JSON; whitespace the model put after `</think>` is not part of it.
    const argsStart = contentStart + (text.slice(contentStart).length - text.slice(contentStart).trimStart().length)
    const call = { name: options.namedTool, arguments: text.slice(argsStart), nameEnd: contentStart }
    return { text, reasoning, content: [], toolCalls: [{ ...call, argsStart, argsEnd: text.length, end: text.length }] }
  }
  if (options.toolParser === 'hermes') {
    const calls = parseHermes(text, contentStart)
    if (calls && calls.length > 0) {
      const first = text.indexOf(CALL_START, contentStart)
      return { text, reasoning, content: first > contentStart ? [[contentStart, first]] : [], toolCalls: calls }
    }
  }
  return { text, reasoning, content: rest[1] > rest[0] ? [rest] : [], toolCalls: [] }
}

/** Hermes: every `<tool_call>{json}</tool_call>` must parse, or none count (the raw text stays content). */
function parseHermes(text: string, from: number): ParsedToolCall[] | undefined {
  const calls: ParsedToolCall[] = []
  let at = text.indexOf(CALL_START, from)
  while (at >= 0) {
    const innerStart = at + CALL_START.length
    const close = text.indexOf(CALL_END, innerStart)
    const innerEnd = close >= 0 ? close : text.length
    const end = close >= 0 ? close + CALL_END.length : text.length
    const inner = text.slice(innerStart, innerEnd)
    let parsed: unknown
    try {
      parsed = JSON.parse(inner.trim())
    } catch {
      return undefined
    }
    if (!isCall(parsed)) return undefined
    const nameMatch = /"name"\s*:\s*"(?:[^"\\]|\\.)*"/.exec(inner)
    const argsMatch = /"arguments"\s*:\s*/.exec(inner)
    const argsStart = innerStart + (argsMatch ? argsMatch.index + argsMatch[0].length : 0)
    calls.push({
      name: parsed.name,
      arguments: pyJsonDumps(parsed.arguments),
      nameEnd: innerStart + (nameMatch ? nameMatch.index + nameMatch[0].length : inner.length),
      argsStart,
      argsEnd: Math.max(argsStart, innerStart + inner.lastIndexOf('}')),
      end,
    })
    at = close >= 0 ? text.indexOf(CALL_START, end) : -1
  }
  return calls
}

function isCall(value: unknown): value is { name: string; arguments: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    'arguments' in value
  )
}

/** The parsed message fields of a finished output (non-streaming view). */
export function messageParts(layout: OutputLayout): {
  reasoning: string | null
  content: string | null
  toolCalls: Array<{ name: string; arguments: string }>
} {
  const content = layout.content.map(([s, e]) => layout.text.slice(s, e)).join('')
  return {
    reasoning: layout.reasoning ? layout.text.slice(layout.reasoning[0], layout.reasoning[1]) : null,
    content: content || null,
    toolCalls: layout.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })),
  }
}

/** One streamed delta's parsed parts. */
export interface DeltaParts {
  reasoning?: string
  content?: string
  /** `header` entries open a call (name, arguments ""); later entries carry argument fragments. */
  toolCalls?: Array<{ index: number; header: boolean; name: string; arguments: string }>
}

/**
 * Streaming view of a layout, like vLLM's streaming parsers: text deltas for reasoning and content; a tool call
 * opens (index, name, arguments "") once its name is complete, then argument fragments follow as the raw JSON
 * arrives and concatenate to the final `arguments`. Markup (`<think>`, `<tool_call>`, JSON keys) yields nothing.
 */
export class StreamingParser {
  private at = 0
  private readonly opened: boolean[]
  private readonly argsSent: number[]

  constructor(private readonly layout: OutputLayout) {
    this.opened = layout.toolCalls.map(() => false)
    this.argsSent = layout.toolCalls.map(() => 0)
  }

  /** The parsed delta once the text has grown to `to` characters (`finished`: the generation ended). */
  advance(to: number, finished: boolean): DeltaParts {
    const { layout } = this
    const from = this.at
    this.at = to
    const delta: DeltaParts = {}
    const slice = (span: Span): string => layout.text.slice(Math.max(span[0], from), Math.min(span[1], to))
    if (layout.reasoning) {
      const text = slice(layout.reasoning)
      if (text) delta.reasoning = text
    }
    const content = layout.content.map(slice).join('')
    if (content) delta.content = content
    for (const [index, call] of layout.toolCalls.entries()) {
      const sent = this.argsSent[index] ?? 0
      let fragment: { header: boolean; arguments: string } | undefined
      if (!this.opened[index]) {
        if (!finished && to < call.nameEnd) continue
        this.opened[index] = true
        // vLLM opens a call with empty arguments; only a call that first shows up in the final chunk comes whole.
        fragment = { header: true, arguments: finished ? call.arguments : '' }
        if (finished) this.argsSent[index] = call.arguments.length
      } else {
        const target = revealedArgs(call, to, finished)
        if (target > sent) {
          fragment = { header: false, arguments: call.arguments.slice(sent, target) }
          this.argsSent[index] = target
        }
      }
      if (fragment) {
        delta.toolCalls ??= []
        delta.toolCalls.push({ index, name: call.name, ...fragment })
      }
    }
    return delta
  }
}

function revealedArgs(call: ParsedToolCall, at: number, finished: boolean): number {
  if (finished || at >= call.end) return call.arguments.length
  const span = call.argsEnd - call.argsStart
  const fraction = span <= 0 ? 0 : Math.min(1, Math.max(0, (at - call.argsStart) / span))
  return Math.min(call.arguments.length - 1, Math.floor(call.arguments.length * fraction))
}
