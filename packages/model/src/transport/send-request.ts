import type OpenAI from 'openai'
import { APIError } from 'openai'
import { classifyRequestError, type ErrorContext, errorBodyOf, reasonFromBody } from '../classify-error.js'
import type { VLLMPauseInfo, VLLMPauseRetryConfig } from '../config.js'
import { VLLMAbortedError, VLLMPauseBudgetExceededError, VLLMStreamError } from '../errors.js'
import type { TitoPause } from '../tito-fields.js'
import { retryAfterMs } from './retry-after.js'

/** What one call got back: an SSE body to read as it arrives, or the whole JSON text. */
export type TransportResponse = { kind: 'sse'; body: ReadableStream<Uint8Array> } | { kind: 'json'; text: string }

export interface SendRequest {
  client: OpenAI
  path: '/chat/completions' | '/completions'
  body: Record<string, unknown>
  stream: boolean
  signal: AbortSignal | undefined
  /** Per-request headers (the session key). */
  headers: Record<string, string> | undefined
  /** `undefined`: a 429 is never waited out. */
  pause: ResolvedPauseRetry | undefined
  ctx: ErrorContext
  /** Each pause ridden out is appended here (it becomes `tito.pauses`). */
  pauses: TitoPause[]
  /** Told before each wait (logger + `onPause`). */
  onPause: (pause: VLLMPauseInfo) => void
}

export interface ResolvedPauseRetry {
  budgetMs: number
  maxWaitMs: number
  onPause: ((pause: VLLMPauseInfo) => void) | undefined
}

const DEFAULT_PAUSE_BUDGET_MS = 30 * 60_000
/** A server answering `Retry-After: 0` forever must still use the budget up. */
const MIN_WAIT_MS = 100

export function resolvePauseRetry(config: false | VLLMPauseRetryConfig | undefined): ResolvedPauseRetry | undefined {
  if (config === false) return undefined
  return {
    budgetMs: config?.budgetMs ?? DEFAULT_PAUSE_BUDGET_MS,
    maxWaitMs: config?.maxWaitMs ?? Number.POSITIVE_INFINITY,
    onPause: config?.onPause,
  }
}

/**
 * The transport: one HTTP call through the `openai` client (auth, headers, its retries and error types), with
 * 429 + `Retry-After` pauses waited out within the budget. Failures come back typed (`classifyRequestError`).
 */
export async function sendRequest(request: SendRequest): Promise<TransportResponse> {
  const { client, path, body, stream, signal, headers, pause, ctx } = request
  let waitedMs = 0
  for (let attempt = 1; ; attempt++) {
    let response: Response
    try {
      response = await client
        .post(path, {
          body,
          ...(signal ? { signal } : {}),
          ...(headers ? { headers } : {}),
        })
        .asResponse()
    } catch (error) {
      const retryAfter = pause ? pauseOf(error) : undefined
      if (retryAfter === undefined || !pause) throw classifyRequestError(error, ctx)
      const apiError = error as APIError
      const reason = reasonFromBody(errorBodyOf(apiError, ctx))
      if (retryAfter > pause.budgetMs - waitedMs) {
        throw new VLLMPauseBudgetExceededError(
          `vLLM (or its gateway) is paused (429, Retry-After ${formatMs(retryAfter)}${reason ? `: ${reason}` : ''}) ` +
            `for longer than the pause budget allows (${formatMs(pause.budgetMs - waitedMs)} of ` +
            `${formatMs(pause.budgetMs)} left for this call); raise pauseRetry.budgetMs to wait longer`,
          {
            cause: error,
            status: 429,
            url: ctx.url,
            pauses: [...request.pauses],
            budgetMs: pause.budgetMs,
            retryAfterMs: retryAfter,
          }
        )
      }
      const waitMs = Math.max(MIN_WAIT_MS, Math.min(retryAfter, pause.maxWaitMs))
      request.onPause({
        status: 429,
        retryAfterMs: retryAfter,
        waitMs,
        waitedMs,
        budgetMs: pause.budgetMs,
        reason,
        gatewayPaused: apiError.headers?.get('x-agl-paused')?.toLowerCase() === 'true',
        attempt,
        url: ctx.url,
      })
      const start = Date.now()
      await sleep(waitMs, signal, ctx)
      const waited = Date.now() - start
      waitedMs += waited
      request.pauses.push({ status: 429, retryAfterMs: retryAfter, waitedMs: waited, reason })
      continue
    }
    if (stream) {
      if (!response.body) throw new VLLMStreamError('vLLM answered without a response body', { url: ctx.url })
      return { kind: 'sse', body: response.body }
    }
    return { kind: 'json', text: await readText(response, signal, ctx) }
  }
}

/** The wait a 429 asks for, when it is a pause (it carries `Retry-After`); a plain 429 is throttling. */
function pauseOf(error: unknown): number | undefined {
  if (!(error instanceof APIError) || error.status !== 429) return undefined
  return retryAfterMs(error.headers as Headers | undefined)
}

async function readText(response: Response, signal: AbortSignal | undefined, ctx: ErrorContext): Promise<string> {
  try {
    return await response.text()
  } catch (error) {
    if (signal?.aborted) {
      throw new VLLMAbortedError('vLLM request aborted by the cancel signal; the response is incomplete', {
        cause: error,
        url: ctx.url,
      })
    }
    throw new VLLMStreamError('the vLLM response body broke off before it was complete', {
      cause: error,
      isRetryable: true,
      url: ctx.url,
    })
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, ctx: ErrorContext): Promise<void> {
  const aborted = (): VLLMAbortedError =>
    new VLLMAbortedError('vLLM request aborted by the cancel signal while waiting out a 429 pause', { url: ctx.url })
  if (signal?.aborted) return Promise.reject(aborted())
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(aborted())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`
}
