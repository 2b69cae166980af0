import { readFileSync } from 'node:fs'
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { ChatTemplate } from './chat-template.js'
import type {
  ChatTemplateMessage,
  ChatTokenizer,
  DecodeOptions,
  EncodeOptions,
  RenderChatOptions,
} from './tokenizer.js'

/** The parsed contents of a Hugging Face `tokenizer.json` + `tokenizer_config.json` pair. */
export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>
  tokenizerConfig: Record<string, unknown>
}

/**
 * A Hugging Face tokenizer (`@huggingface/tokenizers`, exact against the Rust library)
 * with its chat template (`@huggingface/jinja`, byte-identical to Python jinja2 here).
 */
export class HfChatTokenizer implements ChatTokenizer {
  readonly eosTokenIds: readonly number[]
  private readonly tokenizer: HfTokenizer
  private readonly template: ChatTemplate | undefined
  private readonly special: Set<number>

  constructor(
    readonly name: string,
    files: TokenizerFiles
  ) {
    this.tokenizer = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig)
    this.special = new Set()
    for (const [id, token] of this.tokenizer.get_added_tokens_decoder()) {
      if ((token as { special?: boolean }).special) this.special.add(id)
    }
    const config = files.tokenizerConfig
    const specials: Record<string, string> = {}
    for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const value = tokenString(config[key])
      if (value !== undefined) specials[key] = value
    }
    const eos = new Set<number>()
    for (const key of ['eos_token', 'pad_token']) {
      const value = tokenString(config[key])
      const id = value === undefined ? undefined : this.tokenizer.token_to_id(value)
      if (id !== undefined) eos.add(id)
    }
    this.eosTokenIds = [...eos]
    const source = chatTemplateSource(config.chat_template)
    this.template = source === undefined ? undefined : new ChatTemplate(source, specials)
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    return this.tokenizer.decode(ids as number[], { skip_special_tokens: options.skipSpecialTokens ?? false })
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id)
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token)
  }

  isSpecial(id: number): boolean {
    return this.special.has(id)
  }

  /** The raw chat template source, for hashing or inspection. */
  get chatTemplate(): string | undefined {
    return this.template?.source
  }

  renderChat(messages: readonly ChatTemplateMessage[], options?: RenderChatOptions): string {
    if (!this.template) throw new Error(`tokenizer ${this.name} has no chat template`)
    return this.template.render(messages, options)
  }

  /** Render the chat template and tokenize the result, as vLLM computes `prompt_token_ids`. */
  encodeChat(messages: readonly ChatTemplateMessage[], options?: RenderChatOptions): number[] {
    return this.encode(this.renderChat(messages, options))
  }

  /** Load a tokenizer from a local `tokenizer.json` and, optionally, its `tokenizer_config.json`. */
  static fromFiles(tokenizerJsonPath: string, tokenizerConfigPath?: string): HfChatTokenizer {
    const tokenizerJson = JSON.parse(readFileSync(tokenizerJsonPath, 'utf8')) as Record<string, unknown>
    const tokenizerConfig = tokenizerConfigPath
      ? (JSON.parse(readFileSync(tokenizerConfigPath, 'utf8')) as Record<string, unknown>)
      : {}
    return new HfChatTokenizer(tokenizerJsonPath, { tokenizerJson, tokenizerConfig })
  }
}

function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content
  }
  return undefined
}

function chatTemplateSource(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    const named = value.find((t) => t && typeof t === 'object' && (t as { name?: unknown }).name === 'default')
    const template = (named ?? value[0]) as { template?: unknown } | undefined
    return typeof template?.template === 'string' ? template.template : undefined
  }
  return undefined
}
