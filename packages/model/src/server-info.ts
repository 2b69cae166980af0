import type { CountTokensOptions, Message } from '@strands-agents/sdk'
import type OpenAI from 'openai'
import { redact } from './classify-error.js'
import type { VLLMModelConfig } from './config.js'
import { isNonNegativeInteger } from './non-negative-integer.js'
import { formatTools } from './request/chat-request.js'
import { formatMessages, formatSystemPrompt } from './request/format-messages.js'

const isPositiveInteger = (value: unknown): value is number => isNonNegativeInteger(value) && value > 0

export type TokenCount = { ok: true; tokens: number } | { ok: false; reason: string }

/** The server's root (where `/tokenize` lives): the base URL without its trailing `/v1`. */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '')
}

/**
 * What the model asks the server besides completions: `/tokenize` for `countTokens`, `max_model_len` for the
 * context window. Each is asked lazily; `max_model_len` is cached, and an unreachable `/tokenize` (404/405 behind
 * a gateway, connection refused) is not asked again.
 */
export class ServerInfo {
  maxModelLen: number | undefined
  private models: Promise<number | undefined> | undefined
  private tokenizeUnreachable: string | undefined
  private readonly client: () => OpenAI
  private readonly config: () => VLLMModelConfig

  constructor(client: () => OpenAI, config: () => VLLMModelConfig) {
    this.client = client
    this.config = config
  }

  reset(): void {
    this.maxModelLen = undefined
    this.models = undefined
    this.tokenizeUnreachable = undefined
  }

  resolveMaxModelLen(): Promise<number | undefined> {
    this.models ??= this.fetchMaxModelLen()
    return this.models
  }

  async countTokens(
    messages: readonly Message[],
    options: CountTokensOptions | undefined,
    warn: (message: string) => void
  ): Promise<TokenCount> {
    if (this.tokenizeUnreachable) return { ok: false, reason: this.tokenizeUnreachable }
    const config = this.config()
    const client = this.client()
    const wire = formatMessages(messages, warn)
    const system = formatSystemPrompt(options?.systemPrompt, warn)
    if (system) wire.unshift(system)
    const tools = options?.toolSpecs && !config.disableTools ? formatTools(options.toolSpecs) : []
    const kwargs = config.params?.chat_template_kwargs
    const url = `${serverRoot(client.baseURL)}/tokenize`
    try {
      const answer = (await client.post(url, {
        body: {
          model: config.modelId,
          messages: wire,
          ...(tools.length > 0 ? { tools } : {}),
          add_generation_prompt: true,
          ...(kwargs === undefined ? {} : { chat_template_kwargs: kwargs }),
        },
        maxRetries: 0,
      })) as { count?: unknown; max_model_len?: unknown }
      // /tokenize says max_model_len too: the context window is known from the first count on.
      if (isPositiveInteger(answer.max_model_len) && this.maxModelLen === undefined) {
        this.maxModelLen = answer.max_model_len
      }
      if (typeof answer.count === 'number') return { ok: true, tokens: answer.count }
      return { ok: false, reason: `POST ${safe(url, config)} answered without a count` }
    } catch (error) {
      const status = (error as { status?: unknown }).status
      const reason = `POST ${safe(url, config)} failed (${redact(messageOf(error), config.apiKey)})`
      // Not there at all (a gateway in front, an old server): stop asking. Other failures may pass.
      if (status === undefined || status === 404 || status === 405 || status === 401 || status === 403) {
        this.tokenizeUnreachable = reason
      }
      return { ok: false, reason }
    }
  }

  private async fetchMaxModelLen(): Promise<number | undefined> {
    try {
      const list = (await this.client().get('/models', { maxRetries: 0 })) as {
        data?: Array<{ id?: unknown; max_model_len?: unknown }>
      }
      const id = this.config().modelId
      const entry = list.data?.find((m) => m.id === id) ?? list.data?.[0]
      const len = entry?.max_model_len
      if (isPositiveInteger(len)) this.maxModelLen = len
    } catch {
      // Unknown stays unknown: the SDK then uses its default window (and says so).
    }
    return this.maxModelLen
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function safe(url: string, config: VLLMModelConfig): string {
  return redact(url.replace(/\/\/[^/@]+@/, '//'), config.apiKey)
}
