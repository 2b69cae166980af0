import type { BaseModelConfig } from '@strands-agents/sdk'
import type OpenAI from 'openai'
import { VLLMConfigError } from './errors.js'

/** Something with a `warn` method; defaults to `console`. */
export interface VLLMLogger {
  warn(message: string): void
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
  /** Where warnings go. Default `console`. */
  logger?: VLLMLogger
}

/** Request-body keys the provider sets itself; `params` cannot override them. */
export const MANAGED_PARAM_KEYS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
])

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

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
  if (config.logprobs && !config.returnTokenIds) {
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
}
