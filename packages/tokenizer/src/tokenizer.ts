/**
 * The small tokenizer surface every package relies on. Anything that can encode,
 * decode and (optionally) render a chat template can be plugged in: the shipped
 * Qwen3 tokenizer, a user's `tokenizer.json`, or a vLLM server's `/tokenize`.
 */
export interface Tokenizer {
  /** A short human-readable name, e.g. `qwen3` or a file path. */
  readonly name: string
  /** Ids that end a generation (EOS / end-of-turn). */
  readonly eosTokenIds: readonly number[]
  encode(text: string, options?: EncodeOptions): number[]
  decode(ids: readonly number[], options?: DecodeOptions): string
  /** The vocabulary piece of one id (byte-level form, e.g. `Ġworld`). */
  idToToken(id: number): string | undefined
  tokenToId(token: string): number | undefined
  /** True for added tokens flagged `special` (control tokens such as `<|im_end|>`). */
  isSpecial(id: number): boolean
}

export interface EncodeOptions {
  /** Add the tokenizer's post-processor specials (BOS). Default false: chat templates add their own. */
  addSpecialTokens?: boolean
}

export interface DecodeOptions {
  /** Drop special tokens from the text. Default false, so decode(ids) is lossless for control tokens. */
  skipSpecialTokens?: boolean
}

/** A tokenizer that also owns a chat template (what vLLM renders prompts with). */
export interface ChatTokenizer extends Tokenizer {
  renderChat(messages: readonly ChatTemplateMessage[], options?: RenderChatOptions): string
}

/** A message as a Hugging Face chat template sees it (tool-call arguments as objects, as vLLM passes them). */
export interface ChatTemplateMessage {
  role: string
  content?: string | null | ReadonlyArray<Record<string, unknown>>
  reasoning_content?: string | null
  tool_calls?: ReadonlyArray<{
    id?: string
    type?: string
    function: { name: string; arguments: unknown }
  }>
  tool_call_id?: string
  name?: string
  [key: string]: unknown
}

export interface RenderChatOptions {
  /** OpenAI-style tool definitions (`{ type: 'function', function: {...} }`), passed to the template as-is. */
  tools?: ReadonlyArray<Record<string, unknown>> | null
  /** Append the assistant header. Default true (vLLM's default for chat). */
  addGenerationPrompt?: boolean
  /** Leave the final assistant message open so generation continues it. */
  continueFinalMessage?: boolean
  /** Extra template variables, e.g. `{ enable_thinking: false }`. */
  chatTemplateKwargs?: Record<string, unknown>
}
