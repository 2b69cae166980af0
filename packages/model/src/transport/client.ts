import OpenAI from 'openai'
import type { VLLMModelConfig } from '../config.js'

export const DEFAULT_API_KEY = 'EMPTY'

/**
 * The `openai` client a `VLLMModel` builds for itself. Its fetch keeps the raw body of error answers: the client
 * drops the message of vLLM's older flat error shape (context-overflow detection needs it) and the `reason` of a
 * paused gateway's 429.
 */
export function buildClient(config: VLLMModelConfig, bodies: WeakMap<Headers, string>): OpenAI {
  const { baseUrl, apiKey, timeoutMs, maxRetries, headers } = config
  return new OpenAI({
    baseURL: baseUrl ?? null,
    apiKey: apiKey ?? DEFAULT_API_KEY,
    maxRetries: maxRetries ?? 0,
    // Every failure reaches the caller as a typed error; the client's own console logging would repeat it.
    logLevel: 'off',
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    ...(headers === undefined ? {} : { defaultHeaders: headers }),
    fetch: async (input, init) => {
      const response = await fetch(input, init)
      if (!response.ok) {
        try {
          bodies.set(response.headers, await response.clone().text())
        } catch {
          // The body is optional context; the status alone still classifies the error.
        }
      }
      return response
    },
  })
}
