import { VLLMConfigError } from '../errors.js'
import type { WireDelta } from '../wire.js'
import { DeltaSink } from './delta-sink.js'
import { createHermesToolParser } from './hermes-tool-parser.js'
import { createQwen3CoderToolParser } from './qwen3-coder-tool-parser.js'
import { Qwen3ReasoningParser } from './qwen3-reasoning-parser.js'
import type { ParserContext, ParserFactory, ResponseParser } from './types.js'

/** Reasoning parsers by the name vLLM's `--reasoning-parser` uses. */
export const reasoningParsers: Readonly<Record<string, ParserFactory>> = Object.freeze({
  qwen3: (ctx: ParserContext) => new Qwen3ReasoningParser(ctx),
})

/** Tool parsers by the name vLLM's `--tool-call-parser` uses. */
export const toolParsers: Readonly<Record<string, ParserFactory>> = Object.freeze({
  hermes: createHermesToolParser,
  qwen3_coder: createQwen3CoderToolParser,
})

export interface ResponseParserOptions {
  /** A name from `reasoningParsers`, your own factory, or null/undefined for none. */
  reasoning?: string | ParserFactory | null | undefined
  /** A name from `toolParsers`, your own factory, or null/undefined for none. */
  tools?: string | ParserFactory | null | undefined
}

/**
 * The parser for one call: the reasoning parser sees all text and passes its content on to the tool parser
 * (as vLLM does). The tool parser runs only when the request offers tools and `tool_choice` is not `'none'`;
 * otherwise tool-call text stays content, as on a vLLM server. With neither, all text is content.
 */
export function createResponseParser(options: ResponseParserOptions, ctx: ParserContext): ResponseParser {
  const reasoning = resolve('reasoning', options.reasoning, reasoningParsers)
  const toolsWanted = ctx.tools.length > 0 && ctx.toolChoice !== 'none'
  const tools = toolsWanted ? resolve('tool', options.tools, toolParsers) : undefined
  if (!reasoning && !tools) return new ContentParser()
  if (!reasoning) return tools!(ctx)
  if (!tools) return reasoning(ctx)
  return new ComposedParser(reasoning(ctx), tools(ctx))
}

function resolve(
  kind: 'reasoning' | 'tool',
  choice: string | ParserFactory | null | undefined,
  registry: Readonly<Record<string, ParserFactory>>
): ParserFactory | undefined {
  if (choice === null || choice === undefined) return undefined
  if (typeof choice === 'function') return choice
  if (Object.hasOwn(registry, choice)) return registry[choice]
  throw new VLLMConfigError(
    `unknown ${kind} parser ${JSON.stringify(choice)}: use one of ${Object.keys(registry).join(', ')}, a ParserFactory, or null`
  )
}

/** No parsing: every piece is content. */
class ContentParser implements ResponseParser {
  push(text: string): WireDelta[] {
    return text.length > 0 ? [{ content: text }] : []
  }

  finish(): WireDelta[] {
    return []
  }
}

/** Reasoning first; its content goes through the tool parser, order kept. */
class ComposedParser implements ResponseParser {
  private readonly sink = new DeltaSink()
  private readonly reasoning: ResponseParser
  private readonly tools: ResponseParser

  constructor(reasoning: ResponseParser, tools: ResponseParser) {
    this.reasoning = reasoning
    this.tools = tools
  }

  push(text: string): WireDelta[] {
    const deltas = this.reasoning.push(text)
    if (deltas.length === 1 && typeof deltas[0]!.reasoning === 'string' && deltas[0]!.content == null) return deltas
    this.route(deltas)
    return this.sink.take()
  }

  finish(): WireDelta[] {
    this.route(this.reasoning.finish())
    this.forward(this.tools.finish())
    return this.sink.take()
  }

  private route(deltas: readonly WireDelta[]): void {
    for (const delta of deltas) {
      if (delta.reasoning) this.sink.reasoning(delta.reasoning)
      if (delta.content) this.forward(this.tools.push(delta.content))
      if (delta.tool_calls) this.sink.out.push({ tool_calls: delta.tool_calls })
    }
  }

  private forward(deltas: readonly WireDelta[]): void {
    for (const delta of deltas) {
      if (delta.content) this.sink.content(delta.content)
      if (delta.reasoning) this.sink.reasoning(delta.reasoning)
      if (delta.tool_calls) this.sink.out.push({ tool_calls: delta.tool_calls })
    }
  }
}
