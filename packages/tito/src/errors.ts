import { hasErrorMarker } from '@strands-vllm/model/internal'
import type { Divergence } from './divergence.js'

const marker: unique symbol = Symbol.for('strands-vllm.error.TitoError')
const tokenManagerMarker: unique symbol = Symbol.for('strands-vllm.error.TokenManagerError')
const divergenceMarker: unique symbol = Symbol.for('strands-vllm.error.TrajectoryDivergenceError')
const jsonlMarker: unique symbol = Symbol.for('strands-vllm.error.TitoJsonlError')
const recorderMarker: unique symbol = Symbol.for('strands-vllm.error.RecorderError')
const tokenInMarker: unique symbol = Symbol.for('strands-vllm.error.TokenInInvariantError')

/**
 * Base class of every error this package throws. `isInstance` checks a `Symbol.for` marker
 * instead of `instanceof`, so it still works when both the ESM and CJS builds are loaded.
 */
export class TitoError extends Error {
  protected readonly [marker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TitoError'
  }
  static isInstance(error: unknown): error is TitoError {
    return hasErrorMarker(error, marker)
  }
}

/** Bad input to a `TokenManager` (length mismatch, response before prompt, non-extending prompt). */
export class TokenManagerError extends TitoError {
  protected readonly [tokenManagerMarker] = true
  constructor(message: string) {
    super(message)
    this.name = 'TokenManagerError'
  }
  static override isInstance(error: unknown): error is TokenManagerError {
    return hasErrorMarker(error, tokenManagerMarker)
  }
}

/** Thrown by `buildTrajectories` with `onDivergence: 'fail'`; carries the first divergence found. */
export class TrajectoryDivergenceError extends TitoError {
  protected readonly [divergenceMarker] = true
  constructor(
    message: string,
    /** The divergence that stopped the build (same shape as `BuildResult.divergences[i]`). */
    readonly divergence: Divergence
  ) {
    super(message)
    this.name = 'TrajectoryDivergenceError'
  }
  static override isInstance(error: unknown): error is TrajectoryDivergenceError {
    return hasErrorMarker(error, divergenceMarker)
  }
}

/** A canonical JSONL line that does not parse, has the wrong schema, or fails its SHA-256 check. */
export class TitoJsonlError extends TitoError {
  protected readonly [jsonlMarker] = true
  constructor(
    message: string,
    /** 1-based line number in the input, when the error concerns one line. */
    readonly line: number | undefined
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`)
    this.name = 'TitoJsonlError'
  }
  static override isInstance(error: unknown): error is TitoJsonlError {
    return hasErrorMarker(error, jsonlMarker)
  }
}

/** Misuse of a `VLLMTokenRecorder` (e.g. attaching one recorder to two agents), or its JSONL sink failing. */
export class RecorderError extends TitoError {
  protected readonly [recorderMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RecorderError'
  }
  static override isInstance(error: unknown): error is RecorderError {
    return hasErrorMarker(error, recorderMarker)
  }
}

/**
 * A token-in call recorded as `extended` whose prompt does not start with the previous call's prompt + sampled
 * ids in the same conversation. Token-in builds each prompt by appending, so this is a bug in the client or in
 * the records (edited, mixed up), never template drift: the builder throws instead of splitting.
 */
export class TokenInInvariantError extends TitoError {
  protected readonly [tokenInMarker] = true
  constructor(
    message: string,
    readonly details: {
      callIndex: number
      previousCallIndex: number
      /** First position where the prompt differs from previous prompt + sampled ids (or where it ends). */
      index: number
      rolloutId?: string
    }
  ) {
    super(message)
    this.name = 'TokenInInvariantError'
  }
  static override isInstance(error: unknown): error is TokenInInvariantError {
    return hasErrorMarker(error, tokenInMarker)
  }
}
