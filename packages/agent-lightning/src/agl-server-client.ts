import { redact } from '@strands-vllm/model/internal'
import type { AglRolloutEnv } from './agl-env.js'
import type { AglEvent, AglJsonObject, AglJsonValue, AglRewardData, AglRollout } from './agl-types.js'
import { AglAuthError, AglConfigError, AglNotFoundError, AglServerError } from './errors.js'
import { excerpt } from './excerpt.js'

export interface AglServerClientOptions {
  /** Per-request limit. Default 30 s. */
  timeoutMs?: number
  /**
   * Retries when the server could not be reached or answered 502/503/504 (a restarting server or ingress), with
   * 0.5 s → 2 s backoff. Default 2. 4xx answers are never retried.
   */
  retries?: number
}

export interface AglRewardOptions {
  /** Who judged (`exact-match`, `unit-tests`, `llm-judge`…). Default `rollout`. */
  source?: string
  /** Why, in a few words (shown next to the reward in the trainer's events). */
  reason?: string
}

const RETRYABLE = new Set([502, 503, 504])

/**
 * The rollout's side of Agent Lightning v1's REST API: read the rollout (its `input`), post rewards and custom
 * events. Failures are typed (`AglAuthError` 401, `AglNotFoundError` 404, `AglServerError` otherwise) and say
 * what to check; the key never appears in them.
 */
export class AglServerClient {
  private readonly timeoutMs: number
  private readonly retries: number

  constructor(
    readonly env: AglRolloutEnv,
    options: AglServerClientOptions = {}
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.retries = options.retries ?? 2
  }

  /** `GET /api/rollouts/{id}`: the rollout (input, mode, config, status) and its attempts. */
  async getRollout(): Promise<{ rollout: AglRollout; attempts: AglJsonValue[] }> {
    const route = `GET /api/rollouts/${this.env.rolloutId}`
    const url = `${this.env.serverUrl}/api/rollouts/${encodeURIComponent(this.env.rolloutId)}`
    return (await this.request('GET', url, route)) as { rollout: AglRollout; attempts: AglJsonValue[] }
  }

  /** `POST {AGL_EVENT_URL}`: any event type (the server accepts every one); `data` is a JSON object. */
  async postEvent(eventType: string, data: AglJsonObject = {}): Promise<AglEvent> {
    if (typeof eventType !== 'string' || eventType.length === 0) {
      throw new AglConfigError('postEvent: eventType must be a non-empty string')
    }
    const route = `POST /api/rollouts/${this.env.rolloutId}/attempt/${this.env.attemptId}/events`
    return (await this.request('POST', this.env.eventUrl, route, { event_type: eventType, data })) as AglEvent
  }

  /** A `reward` event `{value, source, reason}`: what the trainer reads as this rollout's reward. */
  async postReward(value: number, options: AglRewardOptions = {}): Promise<AglEvent> {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new AglConfigError(`postReward: the reward must be a finite number (got ${String(value)})`)
    }
    const data: AglRewardData = { value, source: options.source ?? 'rollout', reason: options.reason ?? null }
    return this.postEvent('reward', { ...data })
  }

  private async request(method: 'GET' | 'POST', url: string, route: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.env.key) headers.authorization = `Bearer ${this.env.key}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await fetch(url, {
          method,
          headers,
          signal: AbortSignal.timeout(this.timeoutMs),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      } catch (error) {
        if (attempt < this.retries) {
          await delay(attempt)
          continue
        }
        throw this.unreachable(route, error)
      }
      const text = await response.text().catch(() => '')
      if (response.ok) return text ? JSON.parse(text) : undefined
      if (RETRYABLE.has(response.status) && attempt < this.retries) {
        await delay(attempt)
        continue
      }
      throw this.failure(route, response.status, text)
    }
  }

  private unreachable(route: string, error: unknown): AglServerError {
    const cause = redact(causeText(error), this.env.key)
    return new AglServerError(
      `could not reach the Agent Lightning server at ${this.env.serverUrl} for ${route} (${cause}): the URL in ` +
        'AGL_EVENT_URL / AGL_OPENAI_BASE_URL must be reachable from where this process runs (agl_server.agent_url ' +
        'for rollouts in Kubernetes pods)',
      { route, cause: error }
    )
  }

  private failure(route: string, status: number, text: string): AglServerError {
    const body = excerpt(text, this.env.key)
    const said = detailOf(text) ?? (body || 'no body')
    const options = { route, status, responseBody: body }
    if (status === 401) {
      const keyState = !this.env.keySet ? 'AGL_KEY is not set' : this.env.key ? 'AGL_KEY is set' : 'AGL_KEY is empty'
      return new AglAuthError(
        `the Agent Lightning server refused ${route} with 401 (${redact(said, this.env.key)}): ${keyState}; it ` +
          "must equal the server's key (agl_server.key), which the controller passes as AGL_KEY",
        options
      )
    }
    if (status === 404) {
      return new AglNotFoundError(
        `the Agent Lightning server answered 404 for ${route} (${redact(said, this.env.key)}): check that ` +
          'AGL_OPENAI_BASE_URL / AGL_EVENT_URL point at the server that queued this rollout; the server keeps ' +
          'rollouts in memory, so a restart or a DELETE forgets them',
        options
      )
    }
    return new AglServerError(
      `the Agent Lightning server answered ${status} for ${route}: ${redact(said, this.env.key)}`,
      options
    )
  }
}

/** FastAPI's `{"detail": "…"}` (or a 422's list of issues, shortened). */
function detailOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; error?: unknown }
    if (typeof parsed.detail === 'string') return parsed.detail
    if (Array.isArray(parsed.detail)) return JSON.stringify(parsed.detail).slice(0, 300)
    if (typeof parsed.error === 'string') return parsed.error
  } catch {
    // not JSON
  }
  return undefined
}

function causeText(error: unknown): string {
  const parts: string[] = []
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const { message, code } = e as { message?: unknown; code?: unknown }
    const text = [typeof code === 'string' ? code : '', typeof message === 'string' ? message : '']
      .filter(Boolean)
      .join(' ')
    if (text && !parts.includes(text)) parts.push(text)
    e = (e as { cause?: unknown }).cause
  }
  return parts.join(': ') || String(error)
}

function delay(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 2000)))
}
