import { describe, expect, it } from 'vitest'
import { hasErrorMarker } from './error-marker.js'

const marker = Symbol.for('strands-vllm.error.ExampleError')

describe('hasErrorMarker', () => {
  it('is true only for an object whose marker property is exactly true', () => {
    expect(hasErrorMarker(Object.assign(new Error('x'), { [marker]: true }), marker)).toBe(true)
    // a foreign copy of a class (another bundle) is a plain object with the same registered symbol
    expect(hasErrorMarker({ [Symbol.for('strands-vllm.error.ExampleError')]: true }, marker)).toBe(true)
    expect(hasErrorMarker(Object.create({ [marker]: true }), marker)).toBe(true)
    for (const value of [new Error('x'), { [marker]: 'true' }, { [marker]: 1 }, null, undefined, 'x', 0]) {
      expect(hasErrorMarker(value, marker)).toBe(false)
    }
    expect(hasErrorMarker({ [Symbol('strands-vllm.error.ExampleError')]: true }, marker)).toBe(false)
  })
})
