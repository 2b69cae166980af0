import { describe, expect, it } from 'vitest'
import { errorMessageFromBody, redact } from './classify-error.js'
import {
  VLLMAbortedError,
  VLLMConnectionError,
  VLLMError,
  VLLMRequestError,
  VLLMServerError,
  VLLMServerUnavailableError,
  VLLMStreamError,
} from './errors.js'

describe('errors', () => {
  it('isInstance follows the hierarchy through Symbol.for markers', () => {
    const unavailable = new VLLMServerUnavailableError('down', { status: 503 })
    expect(VLLMError.isInstance(unavailable)).toBe(true)
    expect(VLLMServerError.isInstance(unavailable)).toBe(true)
    expect(VLLMServerUnavailableError.isInstance(new VLLMServerError('x'))).toBe(false)
    expect(unavailable.isRetryable).toBe(true)
    expect(new VLLMConnectionError('x').isRetryable).toBe(true)
    expect(new VLLMRequestError('x', { isRetryable: true }).isRetryable).toBe(false)
    const aborted = new VLLMAbortedError('x')
    expect(VLLMStreamError.isInstance(aborted)).toBe(true)
    expect(VLLMRequestError.isInstance(aborted)).toBe(false)
    expect(VLLMError.isInstance(new Error('plain'))).toBe(false)
    expect(VLLMError.isInstance(null)).toBe(false)
  })

  it('isInstance works on a structurally foreign copy (another bundle of this package)', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('strands-vllm.error.VLLMError')]: true })
    expect(VLLMError.isInstance(foreign)).toBe(true)
  })

  it('redacts bearer tokens and the API key', () => {
    const text = 'Authorization: Bearer sk-secret-123 and key sk-secret-123 again'
    const out = redact(text, 'sk-secret-123')
    expect(out).not.toContain('sk-secret-123')
    expect(out).toContain('Bearer [redacted]')
  })

  it('reads the message from nested and flat vLLM error shapes', () => {
    expect(
      errorMessageFromBody('{"error":{"message":"nested","type":"BadRequestError","param":null,"code":400}}')
    ).toBe('nested')
    expect(
      errorMessageFromBody('{"object":"error","message":"flat","type":"BadRequestError","param":null,"code":400}')
    ).toBe('flat')
    expect(errorMessageFromBody('Internal Server Error')).toBe('Internal Server Error')
    expect(errorMessageFromBody(undefined)).toBeUndefined()
  })
})
