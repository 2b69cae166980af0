import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'ChatTemplate',
  'ChatTemplateError',
  'HfChatTokenizer',
  'QWEN3_DATA_SHA256',
  'QWEN3_TOKENS',
  'loadQwen3Tokenizer',
  'readQwen3Data',
]

describe('@strands-vllm/tokenizer', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
