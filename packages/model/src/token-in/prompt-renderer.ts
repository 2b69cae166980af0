import type OpenAI from 'openai'
import { APIError } from 'openai'
import { classifyRequestError, type ErrorContext, redact } from '../classify-error.js'
import { VLLMTokenInError } from '../errors.js'
import { isNonNegativeInteger } from '../non-negative-integer.js'
import type { WireMessage, WireTool } from '../wire.js'
import { templateMessages, templateTools } from './template-messages.js'
import type { ChatRenderer } from './token-in-options.js'

export interface RenderRequest {
  messages: readonly WireMessage[]
  tools: readonly WireTool[]
  chatTemplateKwargs: Record<string, unknown> | undefined
  addGenerationPrompt: boolean
  /** Also return the token strings (to see whether the prompt ends inside an open think block). */
  tokenStrs: boolean
  signal?: AbortSignal | undefined
}

export interface Rendered {
  ids: number[]
  /** The vocabulary piece of each id, when asked for and available. */
  tokenStrs: string[] | undefined
  /** The server's `max_model_len`, when it said (`/tokenize` does). */
  maxModelLen: number | undefined
}

/** Renders a conversation into prompt ids: the server's `/tokenize`, or a local tokenizer. */
export interface PromptRenderer {
  readonly kind: 'server' | 'local'
  /** End-of-message ids the renderer knows (a local tokenizer's EOS ids). */
  readonly eosTokenIds: readonly number[] | undefined
  render(request: RenderRequest): Promise<Rendered>
}

/** A local renderer: the template and tokenizer run in this process (no round trip). */
export function localRenderer(tokenizer: ChatRenderer): PromptRenderer {
  return {
    kind: 'local',
    eosTokenIds: tokenizer.eosTokenIds,
    async render(request) {
      const messages = templateMessages(request.messages)
      let ids: number[]
      try {
        ids = tokenizer.encodeChat(messages, {
          tools: request.tools.length > 0 ? templateTools(request.tools) : null,
          addGenerationPrompt: request.addGenerationPrompt,
          ...(request.chatTemplateKwargs ? { chatTemplateKwargs: request.chatTemplateKwargs } : {}),
        })
      } catch (error) {
        throw new VLLMTokenInError(
          `token-in: the local tokenizer could not render the conversation (${messageOf(error)})`,
          {
            code: 'render_failed',
            cause: error,
          }
        )
      }
      checkIds(ids, 'the local tokenizer')
      const idToToken = tokenizer.idToToken?.bind(tokenizer)
      const tokenStrs = request.tokenStrs && idToToken ? ids.map((id) => idToToken(id) ?? '') : undefined
      return { ids, tokenStrs, maxModelLen: undefined }
    },
  }
}

export interface ServerRendererOptions {
  client: () => OpenAI
  modelId: () => string | undefined
  url: () => string
  ctx: () => ErrorContext
}

/**
 * vLLM's `POST /tokenize` with `messages` (+ `tools`, `chat_template_kwargs`, `add_generation_prompt`): the
 * server's own rendering, so no tokenizer is needed on the client. Not retried here: a failure fails the call.
 */
export function serverRenderer(options: ServerRendererOptions): PromptRenderer {
  return {
    kind: 'server',
    eosTokenIds: undefined,
    async render(request) {
      templateMessages(request.messages) // refuses media before anything is sent
      const url = options.url()
      const ctx = options.ctx()
      let answer: { tokens?: unknown; token_strs?: unknown; max_model_len?: unknown }
      try {
        answer = (await options.client().post(url, {
          body: {
            model: options.modelId(),
            messages: request.messages,
            ...(request.tools.length > 0 ? { tools: request.tools } : {}),
            add_generation_prompt: request.addGenerationPrompt,
            ...(request.chatTemplateKwargs ? { chat_template_kwargs: request.chatTemplateKwargs } : {}),
            ...(request.tokenStrs ? { return_token_strs: true } : {}),
          },
          maxRetries: 0,
          ...(request.signal ? { signal: request.signal } : {}),
        })) as typeof answer
      } catch (error) {
        throw tokenizeError(error, url, ctx)
      }
      const ids = answer.tokens
      checkIds(ids, `POST ${ctx.url ?? url}`)
      const strs = answer.token_strs
      const tokenStrs =
        Array.isArray(strs) && strs.length === ids.length && strs.every((s) => typeof s === 'string')
          ? (strs as string[])
          : undefined
      const len = answer.max_model_len
      return { ids, tokenStrs, maxModelLen: isNonNegativeInteger(len) && len > 0 ? len : undefined }
    },
  }
}

function checkIds(ids: unknown, source: string): asserts ids is number[] {
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isNonNegativeInteger)) {
    throw new VLLMTokenInError(`token-in: ${source} did not return a non-empty list of token ids`, {
      code: 'render_failed',
    })
  }
}

/** A `/tokenize` that is not there (a gateway in front, an old server) says how to fix it; others stay typed. */
function tokenizeError(error: unknown, url: string, ctx: ErrorContext): unknown {
  const unknownModel = error instanceof APIError && /does not exist/i.test(error.message)
  if (error instanceof APIError && (error.status === 404 || error.status === 405) && !unknownModel) {
    return new VLLMTokenInError(
      `token-in: POST ${ctx.url ?? url} answered ${error.status}: the server does not expose /tokenize (a gateway ` +
        "in front of vLLM forwards only completions). Pass tokenIn: { tokenizer } with the served model's " +
        'tokenizer (loadQwen3Tokenizer() from @strands-vllm/tokenizer for Qwen3), or tokenIn.tokenizeUrl',
      { code: 'render_failed', status: error.status, cause: error, url: ctx.url }
    )
  }
  const mapped = classifyRequestError(error, ctx)
  if (mapped !== error) return mapped
  return new VLLMTokenInError(`token-in: POST ${ctx.url ?? url} failed (${redact(messageOf(error), ctx.apiKey)})`, {
    code: 'render_failed',
    cause: error,
    url: ctx.url,
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
