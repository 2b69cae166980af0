import { hasErrorMarker } from '@strands-vllm/tokenizer/internal'

const storeMarker: unique symbol = Symbol.for('strands-vllm.error.AglStoreError')
const adapterMarker: unique symbol = Symbol.for('strands-vllm.error.AglAdapterError')

/** Misuse of the store stand-in (unknown rollout in the TypeScript API, bad options). */
export class AglStoreError extends Error {
  protected readonly [storeMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AglStoreError'
  }
  static isInstance(error: unknown): error is AglStoreError {
    return hasErrorMarker(error, storeMarker)
  }
}

/**
 * Where v0.3's `TracerTraceToTriplet.adapt()` raises, and so loses the whole rollout: a bare `agentlightning.reward`
 * attribute (`Cannot unflatten attribute with key exactly equal to prefix: …`), reward attributes that do not form a
 * `[{name, value}]` list, `logprobs.content` that is not JSON, no spans at all.
 */
export class AglAdapterError extends Error {
  protected readonly [adapterMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AglAdapterError'
  }
  static isInstance(error: unknown): error is AglAdapterError {
    return hasErrorMarker(error, adapterMarker)
  }
}
