import { hasErrorMarker } from '@strands-vllm/tokenizer/internal'

const baseMarker: unique symbol = Symbol.for('strands-vllm.error.MockVLLMError')
const requestMarker: unique symbol = Symbol.for('strands-vllm.error.MockVLLMRequestError')

/** Base class of this package's errors: bad options, a policy that returns something unusable. */
export class MockVLLMError extends Error {
  protected readonly [baseMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MockVLLMError'
  }
  static isInstance(error: unknown): error is MockVLLMError {
    return hasErrorMarker(error, baseMarker)
  }
}

/** A request the emulated vLLM refuses; becomes `{"error": {message, type, param, code}}` with `status`. */
export class MockVLLMRequestError extends MockVLLMError {
  protected readonly [requestMarker] = true
  readonly status: number
  readonly type: string
  readonly param: string | null
  constructor(status: number, message: string, options: { type?: string; param?: string | null } = {}) {
    super(message)
    this.name = 'MockVLLMRequestError'
    this.status = status
    this.type = options.type ?? defaultType(status)
    this.param = options.param ?? null
  }
  static override isInstance(error: unknown): error is MockVLLMRequestError {
    return hasErrorMarker(error, requestMarker)
  }
}

function defaultType(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError'
    case 404:
      return 'NotFoundError'
    case 429:
      return 'RateLimitError'
    case 503:
      return 'ServiceUnavailableError'
    default:
      return 'InternalServerError'
  }
}

/** vLLM's error body: nested (current) or the old flat `{"object": "error", …}` shape. `code` is the int status. */
export function errorBody(error: MockVLLMRequestError, flat = false): Record<string, unknown> {
  const fields = { message: error.message, type: error.type, param: error.param, code: error.status }
  return flat ? { object: 'error', ...fields } : { error: fields }
}

export const badRequest = (message: string, param?: string): MockVLLMRequestError =>
  new MockVLLMRequestError(400, message, param === undefined ? {} : { param })
