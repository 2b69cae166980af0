import type { WireDelta, WireTool, WireToolChoice } from '../wire.js'

/**
 * Turns raw completion text (token-in mode: `/v1/completions` returns text, not parsed
 * messages) into the same deltas vLLM's chat endpoint would stream. One parser per model call.
 */
export interface ResponseParser {
  /** Feed the next piece of raw text (any split, even mid-tag); returns the deltas now safe to emit (may be empty). */
  push(text: string): WireDelta[]
  /**
   * End of text: flush everything held back. An unclosed `<think>` with thinking on is all reasoning;
   * an unclosed `<tool_call>` becomes content unless its body is already a complete call. Nothing is dropped
   * silently. Call once; the parser is done afterwards.
   */
  finish(): WireDelta[]
}

/** What a parser may know about the request whose output it parses. */
export interface ParserContext {
  /** The tools offered in the request (qwen3_coder reads their JSON-Schema parameter types). */
  readonly tools: readonly WireTool[]
  /** `chat_template_kwargs.enable_thinking !== false`: the model may think (Qwen3: `enable_thinking`). */
  readonly thinking: boolean
  /**
   * Whether the prompt ends inside an open think block (Qwen3-Thinking-2507 and Qwen3.5 templates end the
   * generation prompt with `<think>`; the original Qwen3 template does not, and the model writes `<think>` itself).
   * Token-in mode knows its prompt and says so. `undefined` (unknown): as vLLM's server parser, output with thinking
   * on starts inside reasoning.
   */
  readonly promptEndsInThink?: boolean | undefined
  /** As vLLM: with `'none'` the tool parser does not run and tool-call text stays content. */
  readonly toolChoice?: WireToolChoice | undefined
  /** Ids for parsed tool calls. Default: vLLM's scheme, `chatcmpl-tool-` + 32 random hex digits. */
  readonly newToolCallId?: (() => string) | undefined
}

export type ParserFactory = (ctx: ParserContext) => ResponseParser
