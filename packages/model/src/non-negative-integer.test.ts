import { describe, expect, it } from 'vitest'
import { isNonNegativeInteger } from './non-negative-integer.js'

const values = [0, 1, 151_645, 2 ** 31, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', true, null, undefined, 1n]

describe('isNonNegativeInteger', () => {
  it('accepts what vLLM sends as an id or a count, and nothing else', () => {
    expect(values.filter(isNonNegativeInteger)).toEqual([0, 1, 151_645, 2 ** 31])
  })
})
