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

/**
 * The server's message from any error shape it may send: vLLM's nested `{error:{message}}` or old flat
 * `{object:'error', message}`, a gateway's `{error: "text", reason}` (Agent Lightning's pause) or FastAPI's
 * `{detail}`. Falls back to the raw body.
 */
export function errorMessageFromBody(body: string | undefined): string | undefined {
  if (!body) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return body
  }
  if (!parsed || typeof parsed !== 'object') return body
  const { error, reason, detail } = parsed as { error?: unknown; reason?: unknown; detail?: unknown }
  if (typeof error === 'string') return typeof reason === 'string' ? `${error} (${reason})` : error
  if (typeof detail === 'string') return detail
  const source = error && typeof error === 'object' ? error : parsed
  const message = (source as { message?: unknown }).message
  if (typeof message === 'string') return message
  return message === undefined ? body : JSON.stringify(message)
}

/** The `reason` of a gateway's `{error: "gateway paused", reason: "…"}` body, when it has one. */
export function reasonFromBody(body: string | undefined): string | null {
  if (!body) return null
  try {
    const parsed: unknown = JSON.parse(body)
    const reason = parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown }).reason : undefined
    return typeof reason === 'string' ? reason : null
  } catch {
    return null
  }
}

/** The raw body of an error answer: kept by the model's own fetch, else rebuilt from what the client parsed. */
export function errorBodyOf(error: APIError, ctx: ErrorContext): string | undefined {
  return (error.headers && ctx.bodies.get(error.headers as Headers)) ?? serializeApiError(error)
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
  const rawBody = errorBodyOf(error, ctx)
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
 * vLLM's `GenerationError` (engine-side failure while generating) arrives mid-stream as code 500 "Internal
 * server error"; vLLM itself treats it as retryable, as is a 503 (engine or queue unavailable).
 */
function isRetryableWireError(error: APIError): { retryable: boolean; status: number | undefined } {
  const body = error.error as { code?: unknown; type?: unknown } | undefined
  const code = typeof body?.code === 'number' ? body.code : undefined
  const type = typeof body?.type === 'string' ? body.type : ''
  const retryable = code === 500 || code === 503 || /InternalServerError|ServiceUnavailable/.test(type)
  return { retryable, status: code }
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
    const { retryable, status } = isRetryableWireError(error)
    return new VLLMStreamError(
      `vLLM reported an error mid-stream: ${message}${retryable ? ' (an engine-side generation error; retryable)' : ''}`,
      {
        cause: error,
        status,
        isRetryable: retryable,
        responseBody: excerpt(body, ctx.apiKey),
        url: ctx.url,
        partial,
      }
    )
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
