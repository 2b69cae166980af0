import * as model from '@strands-vllm/model/internal'
import * as tokenizer from '@strands-vllm/tokenizer/internal'
import { describe, expect, it } from 'vitest'

// `@strands-vllm/model` must not pull in the 30 MB tokenizer, and the mock server must not need the SDK, so the
// two families each carry one copy of these helpers. They must answer alike.
const marker = Symbol.for('strands-vllm.error.ParityError')
const values: unknown[] = [
  0,
  1,
  151_645,
  -1,
  0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '1',
  true,
  null,
  undefined,
  1n,
  { [marker]: true },
  { [marker]: 'true' },
  Object.create({ [marker]: true }),
  new Error('x'),
]

describe('helpers of @strands-vllm/model/internal and @strands-vllm/tokenizer/internal', () => {
  it('hasErrorMarker answers alike', () => {
    for (const value of values)
      expect(tokenizer.hasErrorMarker(value, marker)).toBe(model.hasErrorMarker(value, marker))
  })

  it('isNonNegativeInteger answers alike', () => {
    for (const value of values) expect(tokenizer.isNonNegativeInteger(value)).toBe(model.isNonNegativeInteger(value))
  })
})
