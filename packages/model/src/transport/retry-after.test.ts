import { describe, expect, it } from 'vitest'
import { retryAfterMs } from './retry-after.js'

describe('retryAfterMs', () => {
  it('reads seconds (integer or decimal), an HTTP date, and retry-after-ms first', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '5' }))).toBe(5000)
    expect(retryAfterMs(new Headers({ 'retry-after': '0.25' }))).toBe(250)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000)
    expect(retryAfterMs(new Headers({ 'retry-after': '5', 'retry-after-ms': '1200' }))).toBe(1200)
  })

  it('is undefined without a usable header (a plain 429 is throttling, not a pause)', () => {
    expect(retryAfterMs(new Headers())).toBeUndefined()
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined()
    expect(retryAfterMs(undefined)).toBeUndefined()
  })
})
