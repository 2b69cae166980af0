import type { BaseModelConfig } from '@strands-agents/sdk'
import type OpenAI from 'openai'
import { VLLMConfigError } from './errors.js'
import { isNonNegativeInteger } from './non-negative-integer.js'
import { type TokenInOptions, validateTokenIn } from './token-in/token-in-options.js'
import type { SessionKeyContext } from './transport/session-key.js'

/** Something with a `warn` method (and optionally `info`, for pauses); defaults to `console`. */
export interface VLLMLogger {
  warn(message: string): void
  info?(message: string): void
}

/** One wait on a 429 + `Retry-After` (given to `pauseRetry.onPause` before the wait starts). */
export interface VLLMPauseInfo {
  status: number
  /** What the server asked for. */
  retryAfterMs: number
  /** How long the model waits now (`retryAfterMs`, capped by `maxWaitMs`). */
  waitMs: number
  /** Waited for this call before this wait. */
  waitedMs: number
  budgetMs: number
  /** The body's `reason` (Agent Lightning: why the gateway is paused), when given. */
  reason: string | null
  /** `X-Agl-Paused: true` was sent (Agent Lightning's gateway pause). */
  gatewayPaused: boolean
  /** 1 for the first pause of this call. */
  attempt: number
  url: string | undefined
}

/** Pause-aware retry of 429 + `Retry-After` (Agent Lightning pauses every call during a weight sync). */
export interface VLLMPauseRetryConfig {
  /** Total wait allowed per call. Default 30 minutes (long enough for a weight sync). */
  budgetMs?: number
  /** Longest single wait, so a shorter-than-announced pause is noticed. Default: the server's `Retry-After`. */
  maxWaitMs?: number
  /** Called before every wait. */
  onPause?: (pause: VLLMPauseInfo) => void
}

/** Per-conversation session key: body `session_id` and a header, read by vLLM and by routers for affinity. */
export interface VLLMSessionConfig {
  /** The key, or a function of the call. Default: `modelState['strands-vllm:session-id']`, then `agentMetadata.sessionId`. */
  id?: string | ((call: SessionKeyContext) => string | undefined)
  /** Header name. Default `X-Session-ID` (vLLM, vllm-project/router); production-stack uses its `--session-key`. */
  header?: string
  /** Also send body `session_id`. Default `true`. */
  body?: boolean
}

/**
 * `VLLMModel` configuration. Names are camelCase versions of the Python
 * `strands-vllm` ones (see the README for the mapping).
 */
export interface VLLMModelConfig extends BaseModelConfig {
  /** vLLM's OpenAI-compatible base URL, ending in `/v1` (e.g. `http://localhost:8000/v1`). Required unless `client` is given. */
  baseUrl?: string
  /** Served model name. Required. */
  modelId?: string
  /** Bearer token. Default `'EMPTY'` (vLLM without `--api-key`). Never logged or put in errors. */
  apiKey?: string
  /** Send `return_token_ids: true` and attach ids plus integrity checks to `modelMessageStopEvent`. Default `false`. */
  returnTokenIds?: boolean
  /** Request per-token logprobs (`true`), optionally with the top-n alternatives (`{ top: n }`). Default `false`. */
  logprobs?: boolean | { top: number }
  /** Send neither `tools` nor `tool_choice`, even when the agent has tools. Default `false`. */
  disableTools?: boolean
  /**
   * Extra request-body fields (`top_k`, `seed`, `chat_template_kwargs`, …). Provider-managed keys
   * (`model`, `messages`, `stream`, `stream_options`, `tools`) are ignored with one warning per key.
   */
  params?: Record<string, unknown>
  /**
   * A pre-built client to reuse; its owner keeps its lifecycle; `baseUrl`/`apiKey`/`maxRetries` are ignored and
   * `timeoutMs` only limits stream stalls. Error bodies are read through the client, so vLLM's old flat error shape
   * (≤ mid-2025) reaches us without its message: a context overflow then surfaces as a `VLLMRequestError` (400).
   */
  client?: OpenAI
  /**
   * Per-request timeout: for the response headers (the client this model builds) and, always, for every
   * gap between stream reads, so a server that stalls mid-stream fails the call instead of hanging it.
   * Default: the `openai` client's (10 minutes) for headers, no idle limit.
   */
  timeoutMs?: number
  /** Retries of the client this model builds (before any byte is streamed). Default `0`: the agent's retry strategy decides. */
  maxRetries?: number
  /** Extra HTTP headers on every request of the client this model builds (routing, tracing). */
  headers?: Record<string, string>
  /** EOS ids of the model (Qwen3: `[151645, 151643]`); enables the `eos_inconsistent` check. */
  eosTokenIds?: number[]
  /** Where warnings (and, with `info`, pause notices) go. Default `console`. */
  logger?: VLLMLogger
  /**
   * `false`: one JSON response per call (vLLM non-streaming; Agent Lightning v1's gateway refuses streams). The
   * same events are emitted when it arrives, with the same checks. Default `true`.
   */
  stream?: boolean
  /** Ride out 429 + `Retry-After` (+ `X-Agl-Paused`) pauses. `false` disables. Default `{ budgetMs: 30 min }`. */
  pauseRetry?: false | VLLMPauseRetryConfig
  /** Session affinity key (body `session_id` + `X-Session-ID`). `false` disables. Default: resolved per call. */
  session?: false | VLLMSessionConfig
  /**
   * `'server'`: `countTokens` asks vLLM's `/tokenize` (exact, one extra round trip per model call, since the
   * agent counts before every call). Default `'estimate'`: the SDK's heuristic, added by the agent to the exact
   * `usage` of the previous call.
   */
  countTokens?: 'server' | 'estimate'
  /**
   * Token-in mode: this instance holds one conversation's token sequence and sends it as the int-array `prompt`
   * of `/v1/completions` (previous prompt + sampled ids + the bridge of what was appended), never letting the
   * server re-render earlier turns; the text is parsed on the client. Ids are always requested and recorded.
   * One instance per rollout (share a `client`). Default off (chat mode).
   */
  tokenIn?: boolean | TokenInOptions
}

/** Request-body keys the provider sets itself; `params` cannot override them. */
export const MANAGED_PARAM_KEYS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
])

/** Throws `VLLMConfigError` with a message saying what to change. */
export function validateConfig(config: VLLMModelConfig): void {
  if (!config.modelId || typeof config.modelId !== 'string') {
    throw new VLLMConfigError("VLLMModel: 'modelId' is required (the name vLLM serves, e.g. 'Qwen/Qwen3-8B')")
  }
  if (!config.client && (!config.baseUrl || typeof config.baseUrl !== 'string')) {
    throw new VLLMConfigError(
      "VLLMModel: 'baseUrl' is required (vLLM's OpenAI-compatible URL ending in /v1, e.g. 'http://localhost:8000/v1')"
    )
  }
  if (config.baseUrl !== undefined) {
    try {
      new URL(config.baseUrl)
    } catch {
      throw new VLLMConfigError("VLLMModel: 'baseUrl' is not a valid URL")
    }
  }
  const { logprobs } = config
  if (logprobs !== undefined && typeof logprobs !== 'boolean') {
    if (typeof logprobs !== 'object' || logprobs === null || !isNonNegativeInteger(logprobs.top)) {
      throw new VLLMConfigError("VLLMModel: 'logprobs' must be true, false or { top: n } with n a non-negative integer")
    }
  }
  if (config.params !== undefined && (typeof config.params !== 'object' || Array.isArray(config.params))) {
    throw new VLLMConfigError("VLLMModel: 'params' must be a plain object of request-body fields")
  }
  if (config.logprobs && !config.returnTokenIds && !config.tokenIn) {
    // Logprobs travel with the ids on modelMessageStopEvent; without ids they would be requested and dropped.
    throw new VLLMConfigError("VLLMModel: 'logprobs' needs 'returnTokenIds: true' (they are recorded with the ids)")
  }
  const n = config.params?.n
  if (n !== undefined && n !== 1) {
    // An agent turn continues one sampled sequence; n > 1 samples would be silently dropped.
    throw new VLLMConfigError(
      'VLLMModel: params.n must be 1 (an agent turn continues one sequence); run one agent per sample instead'
    )
  }
  if (config.timeoutMs !== undefined && !(typeof config.timeoutMs === 'number' && config.timeoutMs > 0)) {
    throw new VLLMConfigError("VLLMModel: 'timeoutMs' must be a positive number")
  }
  if (config.maxRetries !== undefined && !isNonNegativeInteger(config.maxRetries)) {
    throw new VLLMConfigError("VLLMModel: 'maxRetries' must be a non-negative integer")
  }
  if (config.eosTokenIds !== undefined && !config.eosTokenIds.every(isNonNegativeInteger)) {
    throw new VLLMConfigError("VLLMModel: 'eosTokenIds' must be non-negative integers")
  }
  if (config.stream !== undefined && typeof config.stream !== 'boolean') {
    throw new VLLMConfigError("VLLMModel: 'stream' must be true or false")
  }
  if (config.countTokens !== undefined && config.countTokens !== 'server' && config.countTokens !== 'estimate') {
    throw new VLLMConfigError("VLLMModel: 'countTokens' must be 'server' or 'estimate'")
  }
  validateTokenIn(config.tokenIn)
  validatePauseRetry(config.pauseRetry)
  validateSession(config.session)
  if (
    config.contextWindowLimit !== undefined &&
    !(isNonNegativeInteger(config.contextWindowLimit) && config.contextWindowLimit > 0)
  ) {
    throw new VLLMConfigError("VLLMModel: 'contextWindowLimit' must be a positive integer")
  }
}

function validatePauseRetry(pause: VLLMModelConfig['pauseRetry']): void {
  if (pause === undefined || pause === false) return
  if (typeof pause !== 'object' || pause === null) {
    throw new VLLMConfigError("VLLMModel: 'pauseRetry' must be false or { budgetMs?, maxWaitMs?, onPause? }")
  }
  for (const key of ['budgetMs', 'maxWaitMs'] as const) {
    const value = pause[key]
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new VLLMConfigError(`VLLMModel: 'pauseRetry.${key}' must be a non-negative number of milliseconds`)
    }
  }
  if (pause.onPause !== undefined && typeof pause.onPause !== 'function') {
    throw new VLLMConfigError("VLLMModel: 'pauseRetry.onPause' must be a function")
  }
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function validateSession(session: VLLMModelConfig['session']): void {
  if (session === undefined || session === false) return
  if (typeof session !== 'object' || session === null) {
    throw new VLLMConfigError("VLLMModel: 'session' must be false or { id?, header?, body? }")
  }
  const { id, header } = session
  if (id !== undefined && typeof id !== 'function' && !(typeof id === 'string' && id.length > 0)) {
    throw new VLLMConfigError("VLLMModel: 'session.id' must be a non-empty string or a function of the call")
  }
  if (header !== undefined && !(typeof header === 'string' && HEADER_NAME.test(header))) {
    throw new VLLMConfigError("VLLMModel: 'session.header' must be an HTTP header name, e.g. 'X-Session-ID'")
  }
}
