import { APIError } from 'openai'

/**
 * An `{"error": …}` payload inside a 200 answer (an SSE chunk or a JSON body): raised as the `openai` client's
 * status-less `APIError`, which `classifyStreamError` maps (context overflow, retryable `GenerationError`, …).
 */
export function wirePayloadError(error: unknown): APIError {
  const body = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : { message: error }
  return new APIError(undefined, body, undefined, undefined)
}
