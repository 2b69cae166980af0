import { randomUUID } from 'node:crypto'
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
import {
  MANAGED_PARAM_KEYS,
  type VLLMLogger,
  type VLLMModelConfig,
  type VLLMPauseInfo,
  validateConfig,
} from './config.js'
import { VLLMAbortedError, VLLMConcurrentCallError, VLLMGenerationAbortedError, VLLMStreamError } from './errors.js'
import { EventMapper, mapStopReason } from './event-mapper.js'
import { createResponseParser } from './parsers/create-response-parser.js'
import { buildChatRequest, formatToolChoice, formatTools } from './request/chat-request.js'
import { buildCompletionsRequest } from './request/completions-request.js'
import { formatMessages, formatSystemPrompt } from './request/format-messages.js'
import { ServerInfo, serverRoot } from './server-info.js'
import type { TitoReason, TitoReasonCode, VLLMResponseFields } from './tito-fields.js'
import { TokenCapture } from './token-capture.js'
import { AssistantCollector } from './token-in/assistant-message.js'
import { localRenderer, serverRenderer } from './token-in/prompt-renderer.js'
import { TokenInConversation } from './token-in/token-in-conversation.js'
import { type ResolvedTokenInOptions, resolveTokenInOptions } from './token-in/token-in-options.js'
import { buildClient, DEFAULT_API_KEY } from './transport/client.js'
import { resolvePauseRetry, sendRequest, type TransportResponse } from './transport/send-request.js'
import { resolveSessionKey, type SessionKey } from './transport/session-key.js'
import { CallSink } from './wire/call-sink.js'
import { readChatJson } from './wire/chat-json.js'
import { readChatBatch } from './wire/chat-sse.js'
import { readCompletionsJson } from './wire/completions-json.js'
import { readCompletionsBatch } from './wire/completions-sse.js'
import { readSSEBatches } from './wire/sse-batches.js'
import type { WireToolChoice, WireUsage } from './wire.js'
import { withoutCredentials } from './without-credentials.js'

/** Constructor options: `modelId` is required, and `baseUrl` unless a `client` is given. */
export type VLLMModelOptions = VLLMModelConfig & { modelId: string } & ({ baseUrl: string } | { client: OpenAI })

/** Which wire API a call used (token-in calls go to completions). */
type Endpoint = 'chat' | 'completions'

/** Sees each batch of events `read` is about to emit, and the fields right before the stop event. */
interface ReadObserver {
  events(events: readonly ModelStreamEvent[]): void
  stop(fields: VLLMResponseFields): void
}

/** Reasons that leave the sampled ids themselves trustworthy (token-in may extend the next prompt from them). */
const IDS_INTACT: ReadonlySet<TitoReasonCode> = new Set([
  'logprobs_invalid',
  'logprobs_misaligned',
  'logprobs_count_mismatch',
  'choice_index_unexpected',
  'usage_missing',
])

/**
 * A Strands model provider for vLLM's OpenAI-compatible API that keeps what RL needs: exact prompt and
 * completion token ids, aligned logprobs, the sampling parameters sent, and a per-call integrity verdict.
 *
 * Each call runs four parts: a prompt source (`request/`, or `token-in/` for token-in mode), the transport
 * (`transport/`: one HTTP call, pauses, session key), a wire reader (`wire/`: SSE or JSON, chat or completions)
 * and the capture + event mapper. In chat mode the instance holds no per-call state, so many agents can share one;
 * in token-in mode it holds one conversation's token sequence (one instance per rollout).
 */
export class VLLMModel extends Model<VLLMModelConfig> {
  private config: VLLMModelConfig
  private client: OpenAI
  private readonly errorBodies = new WeakMap<Headers, string>()
  private readonly warned = new Set<string>()
  private readonly server: ServerInfo
  /** Token-in mode: the conversation this instance holds, its options, and whether a call is running. */
  private tokenIn: { conversation: TokenInConversation; options: ResolvedTokenInOptions } | undefined
  private busy = false
  /** The default session key in token-in mode: the instance is the conversation. */
  private readonly instanceId = `strands-vllm-${randomUUID()}`

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
    this.tokenIn = this.createTokenIn()
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
    const tokenInChanged = next.tokenIn !== this.config.tokenIn
    this.config = next
    this.warnManagedParams(modelConfig.params)
    if (next.client) this.client = next.client
    else if (rebuild) this.client = buildClient(next, this.errorBodies)
    if (serverChanged) this.server.reset()
    // Another server or other token-in options: the held ids may mean nothing there, so start over.
    if (serverChanged || tokenInChanged) this.tokenIn = this.createTokenIn()
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
    if (this.tokenIn) {
      yield* this.streamTokenIn(this.tokenIn, messages, options)
      return
    }
    const config = this.config
    const request = buildChatRequest(config, messages, options, (m) => this.warnOnce(m, m))
    const call = await this.send('chat', request, resolveSessionKey(config.session, messages, options), options)
    const sink = new CallSink(call.capture, new EventMapper((name, raw) => this.onInvalidToolInput(name, raw)))
    yield* this.read('chat', call.response, sink, { ...call, withIds: request.returnTokenIds })
  }

  /**
   * The part of a call both request paths share: the capture (what the checks compare against), the error context,
   * the session key on body and header, and the one HTTP call with its pause retries.
   */
  private async send(
    endpoint: Endpoint,
    request: {
      body: Record<string, unknown>
      sampling: Record<string, unknown>
      logprobs: boolean
      topLogprobs: boolean
    },
    session: SessionKey | undefined,
    options: StreamOptions | undefined,
    /** When the call began (token-in renders its prompt first; that time is part of the call's latency). */
    startMs = Date.now()
  ): Promise<{
    capture: TokenCapture
    ctx: ErrorContext
    response: TransportResponse
    signal: AbortSignal | undefined
    startMs: number
  }> {
    const config = this.config
    const client = this.client
    const path = endpoint === 'chat' ? '/chat/completions' : '/completions'
    if (session?.body) request.body.session_id = session.id
    const stream = config.stream !== false
    const capture = new TokenCapture({
      logprobs: request.logprobs,
      topLogprobs: request.topLogprobs,
      sampling: request.sampling,
      eosTokenIds: config.eosTokenIds,
      startMs,
      mode: endpoint === 'chat' ? 'chat' : 'token-in',
      transport: stream ? 'stream' : 'json',
      sessionId: session?.id ?? null,
    })
    const ctx: ErrorContext = {
      url: withoutCredentials(`${client.baseURL}${path}`),
      apiKey: config.apiKey,
      bodies: this.errorBodies,
    }
    const signal = options?.cancelSignal
    const response = await sendRequest({
      client,
      path,
      body: request.body,
      stream,
      signal,
      headers: session ? { [session.header]: session.id } : undefined,
      pause: resolvePauseRetry(config.pauseRetry),
      ctx,
      pauses: capture.pauses,
      onPause: this.pauseListener(config),
    })
    return { capture, ctx, response, signal, startMs }
  }

  /**
   * Token-in: the prompt is the conversation's own ids (rendered once, then extended by bridges), sent to
   * `/v1/completions`; the text is parsed on the client into the same events chat mode emits.
   */
  private async *streamTokenIn(
    tokenIn: { conversation: TokenInConversation; options: ResolvedTokenInOptions },
    messages: Message[],
    options: StreamOptions | undefined
  ): AsyncGenerator<ModelStreamEvent> {
    if (this.busy) {
      throw new VLLMConcurrentCallError(
        'VLLMModel: a second stream() started on a token-in instance while one was running. A token-in instance ' +
          'holds one conversation; create one VLLMModel per rollout (they may share one client)'
      )
    }
    this.busy = true
    try {
      const config = this.config
      const { conversation } = tokenIn
      const warn = (m: string): void => this.warnOnce(m, m)
      const startMs = Date.now()
      const signal = options?.cancelSignal
      const wire = formatMessages(messages, warn)
      const system = formatSystemPrompt(options?.systemPrompt, warn)
      if (system) wire.unshift(system)
      const toolSpecs = options?.toolSpecs
      const sendTools = !config.disableTools && toolSpecs !== undefined && toolSpecs.length > 0
      const tools = sendTools ? formatTools(toolSpecs) : []
      const toolChoice = sendTools && options?.toolChoice ? formatToolChoice(options.toolChoice) : undefined
      this.warnUnenforcedToolChoice(toolChoice)
      const kwargs = chatTemplateKwargs(config.params)
      const plan = await conversation.plan({ messages: wire, tools, chatTemplateKwargs: kwargs, signal })
      if (plan.maxModelLen !== undefined) this.server.maxModelLen ??= plan.maxModelLen
      const request = buildCompletionsRequest(
        config,
        plan.prompt,
        needsMaxModelLen(config) ? await this.serverMaxModelLen(plan.maxModelLen) : undefined,
        (key, message) => this.warnOnce(key, message)
      )
      const session = resolveSessionKey(config.session, messages, options, this.instanceId)
      const call = await this.send('completions', request, session, options, startMs)
      call.capture.tokenIn = plan.tokenIn
      const parser = createResponseParser(
        { reasoning: tokenIn.options.reasoningParser, tools: tokenIn.options.toolParser },
        {
          tools,
          thinking: kwargs?.enable_thinking !== false,
          toolChoice,
          promptEndsInThink: plan.promptEndsInThink,
        }
      )
      const sink = new CallSink(
        call.capture,
        new EventMapper((name, raw) => this.onInvalidToolInput(name, raw)),
        parser
      )
      const assistant = new AssistantCollector()
      yield* this.read('completions', call.response, sink, {
        ...call,
        withIds: true,
        observer: {
          events: (events) => {
            for (let i = 0; i < events.length; i++) assistant.observe(events[i]!)
          },
          // The call is complete here: what it sampled becomes the prefix of the next prompt.
          stop: (fields) => {
            const tito = fields.tito
            conversation.commit(plan, {
              sampled: fields.tokenIds ?? [],
              promptEcho: fields.promptTokenIds,
              trusted: tito.reasons.every((r) => IDS_INTACT.has(r.code)),
              eosStop: tito.finishReason === 'stop' && tito.stopReason === null,
              assistant: assistant.message(warn),
            })
          },
        },
      })
    } finally {
      this.busy = false
    }
  }

  /** `max_model_len` for a default `max_tokens`: what `/tokenize` said, else `GET /v1/models`, else the configured window. */
  private async serverMaxModelLen(fromRender: number | undefined): Promise<number | undefined> {
    return (
      fromRender ??
      this.server.maxModelLen ??
      (await this.server.resolveMaxModelLen()) ??
      this.config.contextWindowLimit
    )
  }

  private createTokenIn(): { conversation: TokenInConversation; options: ResolvedTokenInOptions } | undefined {
    const options = resolveTokenInOptions(this.config.tokenIn)
    if (!options) return undefined
    const tokenizeUrl = (): string => options.tokenizeUrl ?? `${serverRoot(this.client.baseURL)}/tokenize`
    const renderer = options.tokenizer
      ? localRenderer(options.tokenizer)
      : serverRenderer({
          client: () => this.client,
          modelId: () => this.config.modelId,
          url: tokenizeUrl,
          ctx: () => ({ url: withoutCredentials(tokenizeUrl()), apiKey: this.config.apiKey, bodies: this.errorBodies }),
        })
    const conversation = new TokenInConversation(renderer, {
      dummyPrefix: options.dummyPrefix,
      eosTokenIds: () => this.config.eosTokenIds,
      warn: (key, message) => this.warnOnce(key, message),
    })
    return { conversation, options }
  }

  private warnUnenforcedToolChoice(choice: WireToolChoice | undefined): void {
    if (choice === undefined || choice === 'auto' || choice === 'none') return
    this.warnOnce(
      'token-in-tool-choice',
      'token-in: a required or named toolChoice is not enforced (/v1/completions has no guided tool decoding); the ' +
        'model may answer without calling the tool'
    )
  }

  /** Logs each 429 pause (`info`, else `warn`) and tells `pauseRetry.onPause`. */
  private pauseListener(config: VLLMModelConfig): (pause: VLLMPauseInfo) => void {
    return (pause) => {
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
    }
  }

  /** Reads one response (any endpoint × transport) into Strands events; the same checks and errors for all four. */
  private async *read(
    endpoint: Endpoint,
    response: TransportResponse,
    sink: CallSink,
    call: {
      ctx: ErrorContext
      signal: AbortSignal | undefined
      withIds: boolean
      startMs: number
      observer?: ReadObserver
    }
  ): AsyncGenerator<ModelStreamEvent> {
    const { capture, mapper } = sink
    const { ctx, signal, withIds, observer } = call
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
            observer?.events(out)
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
        observer?.events(out)
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
    if (withIds) {
      const fields = capture.toFields()
      observer?.stop(fields)
      yield { type: 'modelMessageStopEvent', stopReason, additionalModelResponseFields: fields as unknown as JSONValue }
    } else yield { type: 'modelMessageStopEvent', stopReason }
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

/** The `chat_template_kwargs` the prompt is rendered with (from `params`). */
function chatTemplateKwargs(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const kwargs = params?.chat_template_kwargs
  return kwargs && typeof kwargs === 'object' && !Array.isArray(kwargs)
    ? (kwargs as Record<string, unknown>)
    : undefined
}

/** No `max_tokens` configured: token-in sets `max_model_len - prompt length`, as chat mode's default is. */
function needsMaxModelLen(config: VLLMModelConfig): boolean {
  const params = config.params
  return config.maxTokens === undefined && params?.max_tokens == null && params?.max_completion_tokens == null
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
