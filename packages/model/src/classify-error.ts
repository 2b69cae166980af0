import { ContextWindowOverflowError, ModelThrottledError } from '@strands-agents/sdk'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import { isContextOverflowMessage } from './context-overflow.js'
import {
  VLLMAbortedError,
  VLLMConnectionError,
  VLLMRequestError,
  VLLMServerError,
  VLLMServerUnavailableError,
  VLLMStreamError,
} from './errors.js'
import type { VLLMResponseFields } from './tito-fields.js'

const MAX_BODY_EXCERPT = 500

export interface ErrorContext {
  url: string | undefined
  /** Redacted from every message and body excerpt. */
  apiKey: string | undefined
  /** Raw error bodies by response `Headers` (filled by the model's own fetch); survives the flat error shape. */
  bodies: WeakMap<Headers, string>
}

/** Removes the API key and anything that looks like a bearer token. */
export function redact(text: string, apiKey: string | undefined): string {
  let out = text
    .replace(/Bearer\s+[^\s"',}]+/gi, 'Bearer [redacted]')
    // user:password@ inside any URL (fetch repeats the request URL in its own error messages)
    .replace(/(\/\/)[^\s/@"']+@/g, '$1[redacted]@')
  if (apiKey && apiKey.length >= 4 && apiKey !== 'EMPTY') out = out.split(apiKey).join('[redacted]')
  return out
}

function excerpt(body: string | undefined, apiKey: string | undefined): string | undefined {
  if (body === undefined) return undefined
  const clean = redact(body, apiKey)
  return clean.length > MAX_BODY_EXCERPT ? `${clean.slice(0, MAX_BODY_EXCERPT)}…` : clean
}

/** The server's message from either vLLM error shape: nested `{error:{message}}` or flat `{object:'error', message}`. */
export function errorMessageFromBody(body: string | undefined): string | undefined {
  if (!body) return undefined
  try {
    const parsed: unknown = JSON.parse(body)
    if (!parsed || typeof parsed !== 'object') return body
    const nested = (parsed as { error?: unknown }).error
    const source = nested && typeof nested === 'object' ? nested : parsed
    const message = (source as { message?: unknown }).message
    if (typeof message === 'string') return message
    return message === undefined ? body : JSON.stringify(message)
  } catch {
    return body
  }
}

function adviceFor(status: number, message: string): string {
  if (/auto.{0,3} tool choice requires/i.test(message)) {
    return ' Start vLLM with --enable-auto-tool-choice --tool-call-parser <parser> (hermes for Qwen), or set disableTools: true.'
  }
  if (/tool_choice.{0,3}, .{0,3}tools.{0,3} must be set/i.test(message)) {
    return ' The request sent tool_choice without tools; pass tools to the agent or remove tool_choice from params.'
  }
  if (/prompt_logprobs/i.test(message)) return ' Remove prompt_logprobs from params: vLLM rejects it when streaming.'
  if (/logprobs/i.test(message)) return ' Lower logprobs.top or start vLLM with a larger --max-logprobs.'
  if (status === 401 || status === 403) return " Check that 'apiKey' matches vLLM's --api-key."
  if (status === 404)
    return " Check that 'modelId' is a name vLLM serves (GET /v1/models lists them; see --served-model-name)."
  return ''
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * Maps a failure of `chat.completions.create()` (before any chunk) to the error the
 * agent should see: the SDK's own `ContextWindowOverflowError` / `ModelThrottledError`
 * (the agent dispatches on them), or one of ours. Unknown errors pass through.
 */
export function classifyRequestError(error: unknown, ctx: ErrorContext): unknown {
  const where = ctx.url ? ` at ${ctx.url}` : ''
  if (error instanceof APIUserAbortError) {
    return new VLLMAbortedError('vLLM request aborted by the cancel signal before the response arrived', {
      cause: error,
      url: ctx.url,
    })
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new VLLMConnectionError(
      `vLLM request${where} timed out; raise timeoutMs or check that the server is healthy`,
      {
        cause: error,
        url: ctx.url,
      }
    )
  }
  if (error instanceof APIConnectionError) {
    const detail = redact(causeText(error), ctx.apiKey)
    return new VLLMConnectionError(`could not reach vLLM${where} (${detail}); is the server running?`, {
      cause: error,
      url: ctx.url,
    })
  }
  if (!(error instanceof APIError) || error.status === undefined) return error
  const status = error.status
  const rawBody = (error.headers && ctx.bodies.get(error.headers as Headers)) ?? serializeApiError(error)
  const message = redact(errorMessageFromBody(rawBody) ?? error.message, ctx.apiKey)
  const options = { cause: error, status, responseBody: excerpt(rawBody, ctx.apiKey), url: ctx.url }
  if (status === 400 && isContextOverflowMessage(message)) return new ContextWindowOverflowError(message)
  if (status === 429) return new ModelThrottledError(`vLLM throttled the request (429): ${message}`, { cause: error })
  if (status === 503) {
    return new VLLMServerUnavailableError(
      `vLLM is unavailable (503): ${message}. The engine is down or its queue is full; retry later.`,
      options
    )
  }
  if (status >= 500) {
    return new VLLMServerError(`vLLM failed (${status}): ${message}`, {
      ...options,
      isRetryable: status === 502 || status === 504,
    })
  }
  return new VLLMRequestError(
    `vLLM rejected the request (${status}): ${message}.${adviceFor(status, message)}`,
    options
  )
}

function serializeApiError(error: APIError): string | undefined {
  return error.error === undefined ? undefined : JSON.stringify({ error: error.error })
}

/**
 * Maps a failure while reading the stream (after the 200 header) to a `VLLMStreamError`
 * carrying the partial capture. A context-length message still becomes the SDK's overflow error.
 */
export function classifyStreamError(
  error: unknown,
  ctx: ErrorContext,
  partial: VLLMResponseFields | undefined
): unknown {
  if (error instanceof APIError && error.status === undefined && !(error instanceof APIConnectionError)) {
    // An SSE `data: {"error": {...}}` payload.
    const body = serializeApiError(error)
    const message = redact(errorMessageFromBody(body) ?? error.message, ctx.apiKey)
    if (isContextOverflowMessage(message)) return new ContextWindowOverflowError(message)
    return new VLLMStreamError(`vLLM reported an error mid-stream: ${message}`, {
      cause: error,
      responseBody: excerpt(body, ctx.apiKey),
      url: ctx.url,
      partial,
    })
  }
  if (error instanceof SyntaxError) {
    return new VLLMStreamError(`vLLM sent a stream chunk that is not valid JSON (${error.message})`, {
      cause: error,
      url: ctx.url,
      partial,
    })
  }
  if (error instanceof VLLMStreamError) return error
  const detail = redact(causeText(error), ctx.apiKey)
  return new VLLMStreamError(`the vLLM stream broke off before it finished (${detail})`, {
    cause: error,
    isRetryable: true,
    url: ctx.url,
    partial,
  })
}
