import { ModelError } from '@strands-agents/sdk'
import { hasErrorMarker } from './error-marker.js'
import type { TitoPause, VLLMResponseFields } from './tito-fields.js'

const marker: unique symbol = Symbol.for('strands-vllm.error.VLLMError')
const configMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMConfigError')
const requestMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMRequestError')
const serverMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMServerError')
const unavailableMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMServerUnavailableError')
const connectionMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMConnectionError')
const streamMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMStreamError')
const abortedMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMAbortedError')
const generationAbortedMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMGenerationAbortedError')
const pauseBudgetMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMPauseBudgetExceededError')
const tokenInMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMTokenInError')
const concurrentMarker: unique symbol = Symbol.for('strands-vllm.error.VLLMConcurrentCallError')

export interface VLLMErrorOptions {
  cause?: unknown
  status?: number | undefined
  isRetryable?: boolean
  responseBody?: string | undefined
  url?: string | undefined
}

/**
 * Base of every error this package throws itself. It extends the SDK's `ModelError`, so the
 * agent passes it through unwrapped (callers and hooks see the typed error, not a generic
 * wrapper), and carries a `Symbol.for` marker so `isInstance` works across duplicated copies
 * of this package (ESM + CJS, bundlers), where `instanceof` would not.
 */
export class VLLMError extends ModelError {
  readonly [marker] = true
  /** HTTP status, when the server answered. */
  readonly status: number | undefined
  /** True when sending the same request again may succeed (503, dropped connections). */
  readonly isRetryable: boolean
  /** At most 500 characters of the server's response body, with secrets redacted. */
  readonly responseBody: string | undefined
  /** The endpoint that was called. */
  readonly url: string | undefined

  constructor(message: string, options: VLLMErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'VLLMError'
    this.status = options.status
    this.isRetryable = options.isRetryable ?? false
    this.responseBody = options.responseBody
    this.url = options.url
  }

  static isInstance(error: unknown): error is VLLMError {
    return hasErrorMarker(error, marker)
  }
}

/** Invalid `VLLMModel` configuration (thrown at construction or `updateConfig`). */
export class VLLMConfigError extends VLLMError {
  readonly [configMarker] = true
  constructor(message: string) {
    super(message)
    this.name = 'VLLMConfigError'
  }
  static override isInstance(error: unknown): error is VLLMConfigError {
    return hasErrorMarker(error, configMarker)
  }
}

/** A 4xx the caller must fix (bad parameter, unknown model, missing server flag). Not retryable. */
export class VLLMRequestError extends VLLMError {
  readonly [requestMarker] = true
  constructor(message: string, options: VLLMErrorOptions = {}) {
    super(message, { ...options, isRetryable: false })
    this.name = 'VLLMRequestError'
  }
  static override isInstance(error: unknown): error is VLLMRequestError {
    return hasErrorMarker(error, requestMarker)
  }
}

/** A 5xx answer. 502/503/504 are retryable, others are not. */
export class VLLMServerError extends VLLMError {
  readonly [serverMarker] = true
  constructor(message: string, options: VLLMErrorOptions = {}) {
    super(message, options)
    this.name = 'VLLMServerError'
  }
  static override isInstance(error: unknown): error is VLLMServerError {
    return hasErrorMarker(error, serverMarker)
  }
}

/** 503: the engine is dead or its queue is full. Retryable. */
export class VLLMServerUnavailableError extends VLLMServerError {
  readonly [unavailableMarker] = true
  constructor(message: string, options: VLLMErrorOptions = {}) {
    super(message, { ...options, isRetryable: true })
    this.name = 'VLLMServerUnavailableError'
  }
  static override isInstance(error: unknown): error is VLLMServerUnavailableError {
    return hasErrorMarker(error, unavailableMarker)
  }
}

/** The server could not be reached, or the connection was refused, reset or timed out before any answer. */
export class VLLMConnectionError extends VLLMError {
  readonly [connectionMarker] = true
  constructor(message: string, options: VLLMErrorOptions = {}) {
    super(message, { ...options, isRetryable: true })
    this.name = 'VLLMConnectionError'
  }
  static override isInstance(error: unknown): error is VLLMConnectionError {
    return hasErrorMarker(error, connectionMarker)
  }
}

export interface VLLMStreamErrorOptions extends VLLMErrorOptions {
  partial?: VLLMResponseFields | undefined
}

/**
 * The stream failed after the 200 header: an `error` payload, a chunk that is not JSON,
 * a dropped connection, or an end without `finish_reason`. `partial` holds the ids
 * gathered so far (status `incomplete`, never `exact`) so a recorder can log the gap.
 */
export class VLLMStreamError extends VLLMError {
  readonly [streamMarker] = true
  /** What was captured before the failure; set when `returnTokenIds` is on. */
  readonly partial: VLLMResponseFields | undefined
  constructor(message: string, options: VLLMStreamErrorOptions = {}) {
    super(message, options)
    this.name = 'VLLMStreamError'
    this.partial = options.partial
  }
  static override isInstance(error: unknown): error is VLLMStreamError {
    return hasErrorMarker(error, streamMarker)
  }
}

/** The caller's `cancelSignal` aborted the request; the HTTP connection was closed. */
export class VLLMAbortedError extends VLLMStreamError {
  readonly [abortedMarker] = true
  constructor(message: string, options: VLLMStreamErrorOptions = {}) {
    super(message, { ...options, isRetryable: false })
    this.name = 'VLLMAbortedError'
  }
  static override isInstance(error: unknown): error is VLLMAbortedError {
    return hasErrorMarker(error, abortedMarker)
  }
}

/**
 * vLLM finished the generation with `finish_reason: 'abort'`: the server cut it (an RL trainer pausing generation
 * for a weight sync, an admin abort). The text streamed so far is not a clean end, so the call fails after the
 * stream ends. Retryable; `partial` is the incomplete record (reason `finish_abort`).
 */
export class VLLMGenerationAbortedError extends VLLMStreamError {
  readonly [generationAbortedMarker] = true
  constructor(message: string, options: VLLMStreamErrorOptions = {}) {
    super(message, { ...options, isRetryable: true })
    this.name = 'VLLMGenerationAbortedError'
  }
  static override isInstance(error: unknown): error is VLLMGenerationAbortedError {
    return hasErrorMarker(error, generationAbortedMarker)
  }
}

export interface VLLMPauseBudgetExceededErrorOptions extends VLLMErrorOptions {
  /** The pauses already ridden out for this call. */
  pauses: TitoPause[]
  budgetMs: number
  /** What the last 429 asked for. */
  retryAfterMs: number
}

/**
 * The server kept answering 429 + `Retry-After` (a paused gateway, a weight sync) for longer than the
 * `pauseRetry.budgetMs` allows. Retryable later; `pauses` lists what was waited.
 */
export class VLLMPauseBudgetExceededError extends VLLMError {
  readonly [pauseBudgetMarker] = true
  readonly pauses: TitoPause[]
  readonly budgetMs: number
  readonly retryAfterMs: number
  constructor(message: string, options: VLLMPauseBudgetExceededErrorOptions) {
    super(message, { ...options, isRetryable: true })
    this.name = 'VLLMPauseBudgetExceededError'
    this.pauses = options.pauses
    this.budgetMs = options.budgetMs
    this.retryAfterMs = options.retryAfterMs
  }
  static override isInstance(error: unknown): error is VLLMPauseBudgetExceededError {
    return hasErrorMarker(error, pauseBudgetMarker)
  }
}

/** What went wrong building a token-in prompt. */
export type VLLMTokenInErrorCode =
  /** The dummy-prefix rendering is not an id prefix of the rendering with the appended messages. */
  | 'bridge_not_prefix'
  /** The renderer (`/tokenize` or the local tokenizer) failed or answered something that is not a list of ids. */
  | 'render_failed'
  /** The conversation holds content token-in cannot render (images, documents). */
  | 'unsupported_content'
  /** No `max_tokens` could be set (`/v1/completions` would default to 16 tokens). */
  | 'max_tokens_unknown'

export interface VLLMTokenInErrorOptions extends VLLMErrorOptions {
  code: VLLMTokenInErrorCode
  /** `bridge_not_prefix`: the first position where the two renderings differ. */
  position?: number | undefined
}

/**
 * Token-in mode could not build the prompt it must send (nothing was sent). Not retryable as is: the chat
 * template, the `dummyPrefix`, the renderer or the conversation needs a change; the message says which.
 */
export class VLLMTokenInError extends VLLMError {
  readonly [tokenInMarker] = true
  readonly code: VLLMTokenInErrorCode
  readonly position: number | undefined
  constructor(message: string, options: VLLMTokenInErrorOptions) {
    super(message, { ...options, isRetryable: options.isRetryable ?? false })
    this.name = 'VLLMTokenInError'
    this.code = options.code
    this.position = options.position
  }
  static override isInstance(error: unknown): error is VLLMTokenInError {
    return hasErrorMarker(error, tokenInMarker)
  }
}

/**
 * A second `stream()` started on a token-in `VLLMModel` while one was running. A token-in instance holds one
 * conversation's token sequence, so two interleaved calls would mix two conversations: use one instance per
 * rollout (they may share a `client`).
 */
export class VLLMConcurrentCallError extends VLLMError {
  readonly [concurrentMarker] = true
  constructor(message: string) {
    super(message)
    this.name = 'VLLMConcurrentCallError'
  }
  static override isInstance(error: unknown): error is VLLMConcurrentCallError {
    return hasErrorMarker(error, concurrentMarker)
  }
}
