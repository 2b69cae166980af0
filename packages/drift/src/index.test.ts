import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'DriftError',
  'DriftInputError',
  'QWEN3_CANONICAL_CASES',
  'ServerTokenizerError',
  'TokenizerSourceError',
  'VLLMServerTokenizer',
  'analyzeCalls',
  'driftVerdict',
  'parseCallsJsonl',
  'readCallsJsonl',
  'renderHtmlReport',
  'renderTerminalReport',
  'resolveTokenizer',
  'retokenizationDrift',
  'runCanonicalCases',
  'scanCalls',
  'shouldUseColor',
  'summarizeCalls',
]

describe('@strands-vllm/drift', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
