import type { JsonValue } from './types.js'

/**
 * One request that reached the proxy route, as the stand-in saw it (not part of the real server): lets a test check
 * what the client sent — its session header, say — which the gateway itself drops before the upstream.
 */
export interface ProxyRequestRecord {
  rolloutId: string
  attemptId: string
  mode: string
  /** `chat/completions`, `completions`, or whatever else was asked for. */
  upstreamPath: string
  /** Client headers, with `authorization` and `x-api-key` replaced by `[redacted]`. */
  headers: Record<string, string>
  /** Parsed client body (undefined when it was not valid JSON). */
  body: JsonValue | undefined
  /** Status the gateway answered with. */
  status: number
  /** The replica the rollout is pinned to, when one was selected. */
  endpoint: string | null
  /** Upstream attempts made (0 when the gateway answered by itself: pause, stream, auth…). */
  upstreamAttempts: number
  receivedAt: number
}

export const REDACTED = '[redacted]'

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[key] =
      key === 'authorization' || key === 'x-api-key' ? REDACTED : Array.isArray(value) ? value.join(', ') : value
  }
  return out
}
