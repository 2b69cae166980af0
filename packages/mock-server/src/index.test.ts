import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'FAULT_HEADER',
  'MockVLLMError',
  'VLLMRequestError',
  'calculatorPolicy',
  'connectOrStartMockVLLM',
  'defaultPolicy',
  'evaluateArithmetic',
  'scriptedPolicy',
  'startMockVLLM',
]

describe('@strands-vllm/mock-server', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
