import {
  type JSONValue,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
  type Usage,
} from '@strands-agents/sdk'
import OpenAI, { APIError } from 'openai'
import { buildRequest } from './build-request.js'
import { classifyRequestError, classifyStreamError, type ErrorContext, redact } from './classify-error.js'
import { MANAGED_PARAM_KEYS, type VLLMLogger, type VLLMModelConfig, validateConfig } from './config.js'
import { VLLMAbortedError, VLLMStreamError } from './errors.js'
import { EventMapper, mapStopReason } from './event-mapper.js'
import { readSSEBatches } from './sse.js'
import type { TitoReason } from './tito-fields.js'
import { TokenCapture } from './token-capture.js'
import type { WireChunk, WireUsage } from './wire.js'

/** Constructor options: `modelId` is required, and `baseUrl` unless a `client` is given. */
export type VLLMModelOptions = VLLMModelConfig & { modelId: string } & ({ baseUrl: string } | { client: OpenAI })

const DEFAULT_API_KEY = 'EMPTY'

/**
 * A Strands model provider for vLLM's OpenAI-compatible chat endpoint that keeps what
 * RL needs: exact prompt and completion token ids, aligned logprobs, the sampling
 * parameters sent, and a per-call integrity verdict. The instance holds no per-call
 * state, so many agents can share one.
 */
export class VLLMModel extends Model<VLLMModelConfig> {
  private config: VLLMModelConfig
  private client: OpenAI
  private readonly errorBodies = new WeakMap<Headers, string>()
  private readonly warned = new Set<string>()

  constructor(options: VLLMModelOptions) {
    super()
    validateConfig(options)
    this.config = { apiKey: DEFAULT_API_KEY, returnTokenIds: false, maxRetries: 0, ...options }
    this.warnManagedParams(this.config.params)
    this.client = this.config.client ?? this.buildClient()
  }

  updateConfig(modelConfig: VLLMModelConfig): void {
    const next: VLLMModelConfig = { ...this.config, ...modelConfig }
    validateConfig(next)
    const rebuild =
      !next.client &&
      (this.config.client !== undefined ||
        next.baseUrl !== this.config.baseUrl ||
        next.apiKey !== this.config.apiKey ||
        next.timeoutMs !== this.config.timeoutMs ||
        next.maxRetries !== this.config.maxRetries ||
        next.headers !== this.config.headers)
    this.config = next
    this.warnManagedParams(modelConfig.params)
    if (next.client) this.client = next.client
    else if (rebuild) this.client = this.buildClient()
  }

  getConfig(): VLLMModelConfig {
    return { ...this.config }
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const config = this.config
    const client = this.client
    const request = buildRequest(config, messages, options, (m) => this.warnOnce(m, m))
    const startMs = Date.now()
    const capture = new TokenCapture({
      logprobs: request.logprobs,
      topLogprobs: request.topLogprobs,
      sampling: request.sampling,
      eosTokenIds: config.eosTokenIds,
      startMs,
    })
    const mapper = new EventMapper((name, raw) => this.onInvalidToolInput(name, raw))
    const ctx: ErrorContext = {
      url: withoutCredentials(`${client.baseURL}/chat/completions`),
      apiKey: config.apiKey,
      bodies: this.errorBodies,
    }
    const signal = options?.cancelSignal

    let body: ReadableStream<Uint8Array>
    try {
      // The client handles auth, retries and HTTP errors; the SSE body is parsed here (see sse.ts).
      const response = await client.chat.completions
        .create(request.body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, signal ? { signal } : undefined)
        .asResponse()
      if (!response.body) throw new VLLMStreamError('vLLM answered without a response body', { url: ctx.url })
      body = response.body
    } catch (error) {
      throw classifyRequestError(error, ctx)
    }

    const out = mapper.out
    let finished = false
    let started = false
    let usage: WireUsage | undefined
    let done = false
    try {
      for await (const batch of readSSEBatches(body, config.timeoutMs)) {
        if (capture.firstByteMs === null) capture.firstByteMs = Date.now()
        if (!started) {
          started = true
          yield { type: 'modelMessageStartEvent', role: 'assistant' }
        }
        for (let b = 0; b < batch.length; b++) {
          const data = batch[b]!
          if (data === '[DONE]') {
            done = true
            break
          }
          const chunk = JSON.parse(data) as WireChunk
          if (chunk.error) throw new APIError(undefined, chunk.error as Record<string, unknown>, undefined, undefined)
          if (capture.responseId === null && chunk.id) {
            capture.responseId = chunk.id
            capture.model = chunk.model ?? null
          }
          if (chunk.prompt_token_ids !== undefined && chunk.prompt_token_ids !== null) {
            capture.addPromptTokenIds(chunk.prompt_token_ids)
          }
          if (chunk.usage) usage = chunk.usage
          const choice = chunk.choices?.[0]
          if (!choice) continue
          capture.addChoice(choice)
          if (choice.delta) mapper.delta(choice.delta)
          const finishReason = choice.finish_reason
          if (finishReason) {
            finished = true
            capture.finishReason = finishReason
            capture.stopReason = choice.stop_reason ?? null
            mapper.closeAll()
          }
        }
        if (out.length > 0) {
          for (let i = 0; i < out.length; i++) yield out[i]!
          out.length = 0
        }
        if (done) break
      }
    } catch (error) {
      if (usage) capture.setUsage(usage)
      if (signal?.aborted) throw this.aborted(capture, request.returnTokenIds, ctx)
      const partial = request.returnTokenIds ? capture.toFields(streamErrorReason(error, config.apiKey)) : undefined
      const mapped = classifyStreamError(error, ctx, partial)
      if (VLLMStreamError.isInstance(mapped) && mapped.partial === undefined && partial !== undefined) {
        throw new VLLMStreamError(mapped.message, {
          cause: mapped,
          url: ctx.url,
          partial,
          isRetryable: mapped.isRetryable,
        })
      }
      throw mapped
    }
    if (usage) capture.setUsage(usage)
    if (signal?.aborted) throw this.aborted(capture, request.returnTokenIds, ctx)
    if (!finished) {
      const reason: TitoReason = {
        code: 'stream_incomplete',
        message: 'the stream ended without a finish_reason',
      }
      throw new VLLMStreamError(
        'the vLLM stream ended without a finish_reason (connection cut or server crash); the response is incomplete',
        { isRetryable: true, url: ctx.url, partial: request.returnTokenIds ? capture.toFields(reason) : undefined }
      )
    }
    if (!started) yield { type: 'modelMessageStartEvent', role: 'assistant' }

    const stopReason = mapStopReason(capture.finishReason, mapper.toolCallCount)
    yield request.returnTokenIds
      ? {
          type: 'modelMessageStopEvent',
          stopReason,
          additionalModelResponseFields: capture.toFields() as unknown as JSONValue,
        }
      : { type: 'modelMessageStopEvent', stopReason }
    const endMs = Date.now()
    yield {
      type: 'modelMetadataEvent',
      ...(usage ? { usage: toUsage(usage) } : {}),
      metrics: {
        latencyMs: endMs - startMs,
        ...(capture.firstByteMs === null ? {} : { timeToFirstByteMs: capture.firstByteMs - startMs }),
      },
    }
  }

  private aborted(capture: TokenCapture, withIds: boolean, ctx: ErrorContext): VLLMAbortedError {
    const reason: TitoReason = { code: 'stream_incomplete', message: 'the request was aborted by the cancel signal' }
    return new VLLMAbortedError('vLLM request aborted by the cancel signal; the response is incomplete', {
      url: ctx.url,
      partial: withIds ? capture.toFields(reason) : undefined,
    })
  }

  private buildClient(): OpenAI {
    const { baseUrl, apiKey, timeoutMs, maxRetries, headers } = this.config
    const bodies = this.errorBodies
    return new OpenAI({
      baseURL: baseUrl ?? null,
      apiKey: apiKey ?? DEFAULT_API_KEY,
      maxRetries: maxRetries ?? 0,
      // Every failure reaches the caller as a typed error; the client's own console logging would repeat it.
      logLevel: 'off',
      ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
      ...(headers === undefined ? {} : { defaultHeaders: headers }),
      // Keep the raw body of error answers: the openai client drops the message of
      // vLLM's older flat error shape, which context-overflow detection needs.
      fetch: async (input, init) => {
        const response = await fetch(input, init)
        if (!response.ok) {
          try {
            bodies.set(response.headers, await response.clone().text())
          } catch {
            // The body is optional context; the status alone still classifies the error.
          }
        }
        return response
      },
    })
  }

  private get logger(): VLLMLogger {
    return this.config.logger ?? console
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return
    this.warned.add(key)
    this.logger.warn(`[strands-vllm] ${message}`)
  }

  private warnManagedParams(params: Record<string, unknown> | undefined): void {
    if (!params) return
    for (const key of Object.keys(params)) {
      if (MANAGED_PARAM_KEYS.has(key)) {
        this.warnOnce(`managed:${key}`, `params.${key} is set by VLLMModel itself and is ignored`)
      }
    }
  }

  private onInvalidToolInput(name: string, raw: string): void {
    this.warnOnce(
      'invalid-tool-input',
      `the model produced tool arguments that are not valid JSON (tool '${name}', ${raw.length} chars). ` +
        'The call is kept with its raw text and re-sent verbatim. Unless the agent has the InvalidToolInputGuard ' +
        'or VLLMToolValidationHooks plugin (which answer it with an error result), the tool receives a marker object.'
    )
  }
}

function toUsage(usage: WireUsage): Usage {
  const input = usage.prompt_tokens ?? 0
  const output = usage.completion_tokens ?? 0
  const cached = usage.prompt_tokens_details?.cached_tokens
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: usage.total_tokens ?? input + output,
    ...(typeof cached === 'number' ? { cacheReadInputTokens: cached } : {}),
  }
}

function streamErrorReason(error: unknown, apiKey: string | undefined): TitoReason {
  const message = redact(error instanceof Error ? error.message : String(error), apiKey)
  return { code: 'stream_error', message: `the stream failed: ${message}` }
}

/** The URL without user info or query, so credentials embedded in `baseUrl` never reach an error message. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return url
  }
}
