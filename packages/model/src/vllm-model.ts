import {
  type CountTokensOptions,
  type JSONValue,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
  type Usage,
} from '@strands-agents/sdk'
import type OpenAI from 'openai'
import { classifyStreamError, type ErrorContext, redact } from './classify-error.js'
import { MANAGED_PARAM_KEYS, type VLLMLogger, type VLLMModelConfig, validateConfig } from './config.js'
import { VLLMAbortedError, VLLMGenerationAbortedError, VLLMStreamError } from './errors.js'
import { EventMapper, mapStopReason } from './event-mapper.js'
import { buildChatRequest } from './request/chat-request.js'
import { ServerInfo } from './server-info.js'
import type { TitoPause, TitoReason } from './tito-fields.js'
import { TokenCapture } from './token-capture.js'
import { buildClient, DEFAULT_API_KEY } from './transport/client.js'
import { resolvePauseRetry, sendRequest, type TransportResponse } from './transport/send-request.js'
import { resolveSessionKey } from './transport/session-key.js'
import { CallSink } from './wire/call-sink.js'
import { readChatJson } from './wire/chat-json.js'
import { readChatBatch } from './wire/chat-sse.js'
import { readCompletionsJson } from './wire/completions-json.js'
import { readCompletionsBatch } from './wire/completions-sse.js'
import { readSSEBatches } from './wire/sse-batches.js'
import type { WireUsage } from './wire.js'
import { withoutCredentials } from './without-credentials.js'

/** Constructor options: `modelId` is required, and `baseUrl` unless a `client` is given. */
export type VLLMModelOptions = VLLMModelConfig & { modelId: string } & ({ baseUrl: string } | { client: OpenAI })

/** Which wire API a call used (token-in calls go to completions). */
type Endpoint = 'chat' | 'completions'

/**
 * A Strands model provider for vLLM's OpenAI-compatible API that keeps what RL needs: exact prompt and
 * completion token ids, aligned logprobs, the sampling parameters sent, and a per-call integrity verdict.
 *
 * Each call runs four parts: a prompt source (`request/`), the transport (`transport/`: one HTTP call, pauses,
 * session key), a wire reader (`wire/`: SSE or JSON, chat or completions) and the capture + event mapper. The
 * instance holds no per-call state, so many agents can share one.
 */
export class VLLMModel extends Model<VLLMModelConfig> {
  private config: VLLMModelConfig
  private client: OpenAI
  private readonly errorBodies = new WeakMap<Headers, string>()
  private readonly warned = new Set<string>()
  private readonly server: ServerInfo

  constructor(options: VLLMModelOptions) {
    super()
    validateConfig(options)
    this.config = { apiKey: DEFAULT_API_KEY, returnTokenIds: false, maxRetries: 0, ...options }
    this.warnManagedParams(this.config.params)
    this.client = this.config.client ?? buildClient(this.config, this.errorBodies)
    this.server = new ServerInfo(
      () => this.client,
      () => this.config
    )
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
    const serverChanged =
      next.client !== this.config.client || next.baseUrl !== this.config.baseUrl || next.modelId !== this.config.modelId
    this.config = next
    this.warnManagedParams(modelConfig.params)
    if (next.client) this.client = next.client
    else if (rebuild) this.client = buildClient(next, this.errorBodies)
    if (serverChanged) this.server.reset()
  }

  /** A copy of the configuration; `contextWindowLimit` is the server's `max_model_len` once known (see below). */
  getConfig(): VLLMModelConfig {
    const limit = this.config.contextWindowLimit ?? this.server.maxModelLen
    return limit === undefined ? { ...this.config } : { ...this.config, contextWindowLimit: limit }
  }

  /**
   * With `countTokens: 'server'`: the server's count of the prompt these messages make (vLLM `/tokenize` with the
   * same messages, tools and `chat_template_kwargs` as the request), falling back to the SDK's estimate with one
   * warning when the endpoint is unreachable (behind a gateway such as Agent Lightning's, which forwards only
   * completions); it also learns `max_model_len` on the first count. Default `'estimate'`: the SDK's character
   * estimate, which the agent only adds to the exact `usage` vLLM reported for the previous call.
   */
  override async countTokens(messages: Message[], options?: CountTokensOptions): Promise<number> {
    if (this.config.countTokens !== 'server') return super.countTokens(messages, options)
    const count = await this.server.countTokens(messages, options, (m) => this.warnOnce(m, m))
    if (count.ok) return count.tokens
    this.warnOnce('count-tokens', `countTokens: ${count.reason}; using the SDK's character estimate instead`)
    return super.countTokens(messages, options)
  }

  /**
   * The SDK's utilization estimate, against the server's `max_model_len` when `contextWindowLimit` is not
   * configured. The first call without a known limit starts resolving it (`GET /v1/models`, once per instance)
   * and uses the SDK's default until it is known; await `resolveContextWindowLimit()` first to avoid that.
   */
  override estimateUtilization(inputTokens: number): number {
    if (this.config.contextWindowLimit === undefined && this.server.maxModelLen === undefined) {
      void this.server.resolveMaxModelLen()
    }
    return super.estimateUtilization(inputTokens)
  }

  /** `max_model_len` of the served model (`GET /v1/models`), fetched once and cached; `contextWindowLimit` if set. */
  resolveContextWindowLimit(): Promise<number | undefined> {
    if (this.config.contextWindowLimit !== undefined) return Promise.resolve(this.config.contextWindowLimit)
    return this.server.resolveMaxModelLen()
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const config = this.config
    const client = this.client
    const request = buildChatRequest(config, messages, options, (m) => this.warnOnce(m, m))
    const session = resolveSessionKey(config.session, messages, options)
    if (session?.body) request.body.session_id = session.id
    const stream = config.stream !== false
    const startMs = Date.now()
    const capture = new TokenCapture({
      logprobs: request.logprobs,
      topLogprobs: request.topLogprobs,
      sampling: request.sampling,
      eosTokenIds: config.eosTokenIds,
      startMs,
      mode: 'chat',
      transport: stream ? 'stream' : 'json',
      sessionId: session?.id ?? null,
    })
    const ctx: ErrorContext = {
      url: withoutCredentials(`${client.baseURL}/chat/completions`),
      apiKey: config.apiKey,
      bodies: this.errorBodies,
    }
    const signal = options?.cancelSignal
    const pauses: TitoPause[] = capture.pauses
    const response = await sendRequest({
      client,
      path: '/chat/completions',
      body: request.body,
      stream,
      signal,
      headers: session ? { [session.header]: session.id } : undefined,
      pause: resolvePauseRetry(config.pauseRetry),
      ctx,
      pauses,
      onPause: (pause) => {
        const reason = pause.reason ? ` (${pause.reason})` : ''
        const message =
          `[strands-vllm] ${pause.gatewayPaused ? 'gateway paused' : 'server asked to wait'}${reason}: ` +
          `429 with Retry-After ${Math.round(pause.retryAfterMs)} ms; waiting ${Math.round(pause.waitMs)} ms ` +
          `(pause ${pause.attempt}, ${Math.round(pause.waitedMs)} ms of ${pause.budgetMs} ms budget used)`
        const logger = this.logger
        if (logger.info) logger.info(message)
        else logger.warn(message)
        const onPause = config.pauseRetry === false ? undefined : config.pauseRetry?.onPause
        onPause?.(pause)
      },
    })
    const sink = new CallSink(capture, new EventMapper((name, raw) => this.onInvalidToolInput(name, raw)))
    yield* this.read('chat', response, sink, { ctx, signal, withIds: request.returnTokenIds, startMs })
  }

  /** Reads one response (any endpoint × transport) into Strands events; the same checks and errors for all four. */
  private async *read(
    endpoint: Endpoint,
    response: TransportResponse,
    sink: CallSink,
    call: { ctx: ErrorContext; signal: AbortSignal | undefined; withIds: boolean; startMs: number }
  ): AsyncGenerator<ModelStreamEvent> {
    const { capture, mapper } = sink
    const { ctx, signal, withIds } = call
    const out = mapper.out
    let started = false
    try {
      if (response.kind === 'sse') {
        const readBatch = endpoint === 'chat' ? readChatBatch : readCompletionsBatch
        for await (const batch of readSSEBatches(response.body, this.config.timeoutMs)) {
          if (capture.firstByteMs === null) capture.firstByteMs = Date.now()
          readBatch(batch, sink)
          if (!started) {
            started = true
            yield { type: 'modelMessageStartEvent', role: 'assistant' }
          }
          if (out.length > 0) {
            for (let i = 0; i < out.length; i++) yield out[i]!
            out.length = 0
          }
          if (sink.done) break
        }
      } else {
        capture.firstByteMs = Date.now()
        if (endpoint === 'chat') readChatJson(response.text, sink)
        else readCompletionsJson(response.text, sink)
        started = true
        yield { type: 'modelMessageStartEvent', role: 'assistant' }
        for (let i = 0; i < out.length; i++) yield out[i]!
        out.length = 0
      }
    } catch (error) {
      if (sink.usage) capture.setUsage(sink.usage)
      if (signal?.aborted) throw aborted(capture, withIds, ctx)
      const partial = withIds ? capture.toFields(streamErrorReason(error, this.config.apiKey)) : undefined
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
    if (sink.usage) capture.setUsage(sink.usage)
    if (signal?.aborted) throw aborted(capture, withIds, ctx)
    if (!sink.finished) {
      const json = response.kind === 'json'
      const reason: TitoReason = {
        code: 'stream_incomplete',
        message: json ? 'the response had no finish_reason' : 'the stream ended without a finish_reason',
      }
      throw new VLLMStreamError(
        json
          ? 'the vLLM response carried no choice with a finish_reason; the response is incomplete'
          : 'the vLLM stream ended without a finish_reason (connection cut or server crash); the response is incomplete',
        { isRetryable: true, url: ctx.url, partial: withIds ? capture.toFields(reason) : undefined }
      )
    }
    if (capture.finishReason === 'abort') {
      throw new VLLMGenerationAbortedError(
        "vLLM aborted the generation (finish_reason 'abort', e.g. a trainer pausing for a weight sync): the " +
          'sequence was cut, not ended; retry the call',
        { url: ctx.url, partial: withIds ? capture.toFields() : undefined }
      )
    }
    if (!started) yield { type: 'modelMessageStartEvent', role: 'assistant' }

    const stopReason = mapStopReason(capture.finishReason, mapper.toolCallCount)
    yield withIds
      ? {
          type: 'modelMessageStopEvent',
          stopReason,
          additionalModelResponseFields: capture.toFields() as unknown as JSONValue,
        }
      : { type: 'modelMessageStopEvent', stopReason }
    const endMs = Date.now()
    const usage = sink.usage
    yield {
      type: 'modelMetadataEvent',
      ...(usage ? { usage: toUsage(usage) } : {}),
      metrics: {
        latencyMs: endMs - call.startMs,
        ...(capture.firstByteMs === null ? {} : { timeToFirstByteMs: capture.firstByteMs - call.startMs }),
      },
    }
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

function aborted(capture: TokenCapture, withIds: boolean, ctx: ErrorContext): VLLMAbortedError {
  const reason: TitoReason = { code: 'stream_incomplete', message: 'the request was aborted by the cancel signal' }
  return new VLLMAbortedError('vLLM request aborted by the cancel signal; the response is incomplete', {
    url: ctx.url,
    partial: withIds ? capture.toFields(reason) : undefined,
  })
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
