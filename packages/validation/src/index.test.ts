import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'ToolCallValidator',
  'ToolSchemaCompileError',
  'VLLMToolValidationHooks',
  'VLLMValidationError',
  'ValidationOptionsError',
]

describe('@strands-vllm/validation', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
