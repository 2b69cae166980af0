import { hasErrorMarker } from '@strands-vllm/tokenizer/internal'

const marker: unique symbol = Symbol.for('strands-vllm.error.AglGatewayError')

/** Misuse of the stand-in (bad options, a rollout in the wrong state for the controller helper). */
export class AglGatewayError extends Error {
  protected readonly [marker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AglGatewayError'
  }
  static isInstance(error: unknown): error is AglGatewayError {
    return hasErrorMarker(error, marker)
  }
}
