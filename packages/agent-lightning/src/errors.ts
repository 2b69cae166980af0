import { hasErrorMarker } from '@strands-vllm/model/internal'

const marker: unique symbol = Symbol.for('strands-vllm.error.AgentLightningError')
const envMarker: unique symbol = Symbol.for('strands-vllm.error.AglEnvError')
const configMarker: unique symbol = Symbol.for('strands-vllm.error.AglConfigError')
const serverMarker: unique symbol = Symbol.for('strands-vllm.error.AglServerError')
const authMarker: unique symbol = Symbol.for('strands-vllm.error.AglAuthError')
const notFoundMarker: unique symbol = Symbol.for('strands-vllm.error.AglNotFoundError')
const exportMarker: unique symbol = Symbol.for('strands-vllm.error.AglExportError')
const cancelledMarker: unique symbol = Symbol.for('strands-vllm.error.AglCancelledError')

/**
 * Base of every error this package throws. `isInstance` checks a `Symbol.for` marker, so it holds across the ESM
 * and CJS builds (and duplicated installs), where `instanceof` would not.
 */
export class AgentLightningError extends Error {
  readonly [marker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AgentLightningError'
  }
  static isInstance(error: unknown): error is AgentLightningError {
    return hasErrorMarker(error, marker)
  }
}

/** Why an `AGL_*` variable was refused. */
export type AglEnvProblem = 'missing' | 'malformed' | 'mismatch'

/** An `AGL_*` variable the rollout controller should have set is missing, malformed, or disagrees with another. */
export class AglEnvError extends AgentLightningError {
  readonly [envMarker] = true
  /** The variable at fault (`AGL_OPENAI_BASE_URL`, `AGL_EVENT_URL`). */
  readonly variable: string
  readonly problem: AglEnvProblem
  constructor(message: string, options: { variable: string; problem: AglEnvProblem }) {
    super(message)
    this.name = 'AglEnvError'
    this.variable = options.variable
    this.problem = options.problem
  }
  static override isInstance(error: unknown): error is AglEnvError {
    return hasErrorMarker(error, envMarker)
  }
}

/** Options that cannot work behind Agent Lightning (a streaming model, token-in without a local tokenizer, …). */
export class AglConfigError extends AgentLightningError {
  readonly [configMarker] = true
  constructor(message: string) {
    super(message)
    this.name = 'AglConfigError'
  }
  static override isInstance(error: unknown): error is AglConfigError {
    return hasErrorMarker(error, configMarker)
  }
}

export interface AglServerErrorOptions {
  cause?: unknown
  /** HTTP status; undefined when the server could not be reached. */
  status?: number | undefined
  /** `GET /api/rollouts/{id}`, `POST …/events`: what was asked (never the key). */
  route: string
  /** At most 500 characters of the answer, the key redacted. */
  responseBody?: string | undefined
}

/** The Agent Lightning server's REST API failed (an error status, or no answer at all). */
export class AglServerError extends AgentLightningError {
  readonly [serverMarker] = true
  readonly status: number | undefined
  readonly route: string
  readonly responseBody: string | undefined
  constructor(message: string, options: AglServerErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AglServerError'
    this.status = options.status
    this.route = options.route
    this.responseBody = options.responseBody
  }
  static override isInstance(error: unknown): error is AglServerError {
    return hasErrorMarker(error, serverMarker)
  }
}

/** 401 `Invalid or missing API key`: `AGL_KEY` is not the server's key. */
export class AglAuthError extends AglServerError {
  readonly [authMarker] = true
  constructor(message: string, options: AglServerErrorOptions) {
    super(message, options)
    this.name = 'AglAuthError'
  }
  static override isInstance(error: unknown): error is AglAuthError {
    return hasErrorMarker(error, authMarker)
  }
}

/** 404: the server does not know this rollout (restarted, deleted, or the URL points at another server). */
export class AglNotFoundError extends AglServerError {
  readonly [notFoundMarker] = true
  constructor(message: string, options: AglServerErrorOptions) {
    super(message, options)
    this.name = 'AglNotFoundError'
  }
  static override isInstance(error: unknown): error is AglNotFoundError {
    return hasErrorMarker(error, notFoundMarker)
  }
}

/** One export the store refused (or that never reached it). */
export interface AglExportFailure {
  /** HTTP status, when the store answered. */
  status: number | undefined
  /** The store's reason, as far as it can be read from its answer (protobuf `Status` text, plain text). */
  reason: string | undefined
  /** Spans in the refused batch. */
  spans: number
}

/**
 * The v0.x store refused spans (or could not be reached): thrown by `AglTracing.flush()` instead of the exporter's
 * bare rejection, with what the store said and what to check.
 */
export class AglExportError extends AgentLightningError {
  readonly [exportMarker] = true
  readonly failures: readonly AglExportFailure[]
  constructor(message: string, options: { failures: readonly AglExportFailure[]; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AglExportError'
    this.failures = options.failures
  }
  static override isInstance(error: unknown): error is AglExportError {
    return hasErrorMarker(error, exportMarker)
  }
}

/**
 * The rollout was cancelled (SIGTERM from a deleted Kubernetes Job, SIGINT): what it computed after that is not a
 * result, so no reward is posted for it.
 */
export class AglCancelledError extends AgentLightningError {
  readonly [cancelledMarker] = true
  readonly signal: string
  constructor(message: string, options: { signal: string }) {
    super(message)
    this.name = 'AglCancelledError'
    this.signal = options.signal
  }
  static override isInstance(error: unknown): error is AglCancelledError {
    return hasErrorMarker(error, cancelledMarker)
  }
}
