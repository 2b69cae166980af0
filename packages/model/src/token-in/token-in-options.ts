import { VLLMConfigError } from '../errors.js'
import type { ParserFactory } from '../parsers/types.js'
import type { WireMessage } from '../wire.js'

/**
 * A message as a chat template reads it (what vLLM hands the template: tool-call arguments parsed to objects,
 * text parts joined). A type alias, not an interface, so tokenizers whose message type has an index signature fit.
 */
export type ChatRendererMessage = {
  role: string
  content: string
  reasoning_content?: string
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: unknown } }>
  tool_call_id?: string
}

export type ChatRendererOptions = {
  /** Tools as vLLM dumps them for the template (`{ type, function: { name, description, parameters } }`). */
  tools?: ReadonlyArray<Record<string, unknown>> | null
  addGenerationPrompt?: boolean
  continueFinalMessage?: boolean
  chatTemplateKwargs?: Record<string, unknown>
}

/**
 * A local chat renderer: renders the chat template and tokenizes, as vLLM computes `prompt_token_ids`.
 * `HfChatTokenizer` from `@strands-vllm/tokenizer` fits (`loadQwen3Tokenizer()`); nothing here depends on it.
 */
export interface ChatRenderer {
  encodeChat(messages: readonly ChatRendererMessage[], options?: ChatRendererOptions): number[]
  /** The vocabulary piece of an id: tells whether a prompt ends inside an open think block. */
  idToToken?(id: number): string | undefined
  /** End-of-message ids (used to find the template's close after an assistant turn). */
  readonly eosTokenIds?: readonly number[]
}

/** Token-in mode (`tokenIn: true | TokenInOptions`): the client owns the token sequence of the conversation. */
export interface TokenInOptions {
  /**
   * Render locally instead of asking the server's `/tokenize` (needed behind a gateway that forwards only
   * completions, such as Agent Lightning's). Must be the served model's tokenizer and chat template.
   */
  tokenizer?: ChatRenderer
  /** Where `/tokenize` lives when not `<baseUrl without /v1>/tokenize`. */
  tokenizeUrl?: string
  /** vLLM's `--reasoning-parser` run on the client: `'qwen3'` (default), your own factory, or `null` for none. */
  reasoningParser?: 'qwen3' | ParserFactory | null
  /** vLLM's `--tool-call-parser` run on the client: `'hermes'` (default), `'qwen3_coder'`, a factory, or `null`. */
  toolParser?: 'hermes' | 'qwen3_coder' | ParserFactory | null
  /**
   * Messages rendered before the appended ones to compute the bridge (the rendering of the dummy alone must be an
   * id prefix of the rendering with the appended messages). Default `[{ role: 'assistant', content: 'x' }]`.
   */
  dummyPrefix?: WireMessage[]
}

/** The dummy turn the appended messages are rendered behind (an assistant turn, as in the real conversation). */
export const DEFAULT_DUMMY_PREFIX: readonly WireMessage[] = Object.freeze([{ role: 'assistant', content: 'x' }])

export interface ResolvedTokenInOptions {
  tokenizer: ChatRenderer | undefined
  tokenizeUrl: string | undefined
  reasoningParser: 'qwen3' | ParserFactory | null
  toolParser: 'hermes' | 'qwen3_coder' | ParserFactory | null
  dummyPrefix: readonly WireMessage[]
}

/** `undefined` when token-in is off. */
export function resolveTokenInOptions(
  option: boolean | TokenInOptions | undefined
): ResolvedTokenInOptions | undefined {
  if (option === undefined || option === false) return undefined
  const o: TokenInOptions = option === true ? {} : option
  return {
    tokenizer: o.tokenizer,
    tokenizeUrl: o.tokenizeUrl,
    reasoningParser: o.reasoningParser === undefined ? 'qwen3' : o.reasoningParser,
    toolParser: o.toolParser === undefined ? 'hermes' : o.toolParser,
    dummyPrefix: o.dummyPrefix ?? DEFAULT_DUMMY_PREFIX,
  }
}

const REASONING = new Set(['qwen3'])
const TOOLS = new Set(['hermes', 'qwen3_coder'])

/** Throws `VLLMConfigError` with what to change. */
export function validateTokenIn(option: unknown): void {
  if (option === undefined || option === true || option === false) return
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new VLLMConfigError(
      "VLLMModel: 'tokenIn' must be true, false or { tokenizer?, tokenizeUrl?, reasoningParser?, toolParser?, dummyPrefix? }"
    )
  }
  const o = option as Record<string, unknown>
  const tokenizer = o.tokenizer as { encodeChat?: unknown } | undefined
  if (tokenizer !== undefined && (typeof tokenizer !== 'object' || typeof tokenizer?.encodeChat !== 'function')) {
    throw new VLLMConfigError(
      "VLLMModel: 'tokenIn.tokenizer' must have encodeChat(messages, options) (e.g. loadQwen3Tokenizer() from @strands-vllm/tokenizer)"
    )
  }
  if (o.tokenizeUrl !== undefined) {
    try {
      new URL(String(o.tokenizeUrl))
    } catch {
      throw new VLLMConfigError("VLLMModel: 'tokenIn.tokenizeUrl' is not a valid URL")
    }
  }
  if (tokenizer !== undefined && o.tokenizeUrl !== undefined) {
    throw new VLLMConfigError("VLLMModel: give 'tokenIn.tokenizer' or 'tokenIn.tokenizeUrl', not both")
  }
  checkParser('reasoningParser', o.reasoningParser, REASONING)
  checkParser('toolParser', o.toolParser, TOOLS)
  const dummy = o.dummyPrefix
  if (dummy !== undefined) {
    const ok =
      Array.isArray(dummy) &&
      dummy.length > 0 &&
      dummy.every((m) => m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string')
    if (!ok) throw new VLLMConfigError("VLLMModel: 'tokenIn.dummyPrefix' must be a non-empty list of chat messages")
  }
}

function checkParser(key: string, value: unknown, names: ReadonlySet<string>): void {
  if (value === undefined || value === null || typeof value === 'function') return
  if (typeof value === 'string' && names.has(value)) return
  throw new VLLMConfigError(
    `VLLMModel: 'tokenIn.${key}' must be one of ${[...names].map((n) => `'${n}'`).join(', ')}, a ParserFactory or null`
  )
}
