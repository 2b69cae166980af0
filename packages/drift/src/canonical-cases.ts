import type { AnalysisTokenizer } from './analysis-tokenizer.js'
import { type DriftResult, equalIds, retokenizationDrift } from './retokenization-drift.js'

/**
 * Hand-built "generated" sequences that re-tokenize differently, with the ids the shipped Qwen3
 * tokenizer gives (measured, and pinned by tests). The first one is the vLLM blog's `H`+`AVING`.
 */
export interface CanonicalCase {
  /** Short id, stable for tests and reports. */
  id: string
  title: string
  /** What a model sampled. */
  ids: readonly number[]
  /** What `encode(decode(ids))` gives with the Qwen3 tokenizer. */
  expectedReencoded: readonly number[]
  /** Why it matters to a trainer. */
  note: string
}

export const QWEN3_CANONICAL_CASES: readonly CanonicalCase[] = [
  {
    id: 'non-canonical-split',
    title: 'H + AVING',
    ids: [39, 83722],
    expectedReencoded: [72239, 1718],
    note: 'same text, same length, different ids (the vLLM blog case)',
  },
  {
    id: 'space-split-off',
    title: 'space + world',
    ids: [220, 14615],
    expectedReencoded: [1879],
    note: '2 tokens become 1',
  },
  { id: 'newlines', title: 'newline + newline', ids: [198, 198], expectedReencoded: [271], note: '2 tokens become 1' },
  {
    id: 'emoji-bytes',
    title: 'emoji as byte pieces',
    ids: [75360, 222],
    expectedReencoded: [141334],
    note: 'byte-level pieces merge into one token',
  },
  {
    id: 'emoji-cut',
    title: 'emoji cut by max_tokens',
    ids: [9707, 220, 75360],
    expectedReencoded: [9707, 29333],
    note: 'lossy: the cut bytes decode to U+FFFD and cannot be recovered from text',
  },
  {
    id: 'nfc',
    title: 'e + combining acute',
    ids: [68, 136, 223],
    expectedReencoded: [963],
    note: 'the NFC normalizer changes the text itself',
  },
  {
    id: 'special-as-text',
    title: '<|im_end|> spelled as text',
    ids: [27, 91, 318, 6213, 91, 29],
    expectedReencoded: [151645],
    note: 'plain text becomes an end-of-turn control token',
  },
  {
    id: 'think-as-text',
    title: '<think> spelled as text',
    ids: [27, 26865, 29],
    expectedReencoded: [151667],
    note: '3 tokens become the reasoning marker',
  },
  {
    id: 'tool-call-json',
    title: 'compact tool-call JSON',
    ids: [4913, 606, 788, 1, 455, 69364, 9207],
    expectedReencoded: [4913, 606, 3252, 455, 69364, 9207],
    note: '`":` + `"` merge into `":"`',
  },
]

/** A canonical case with its measured round trip. */
export interface CanonicalCaseResult {
  case: CanonicalCase
  result: DriftResult
  /** Whether this tokenizer reproduces the pinned ids (false for non-Qwen3 tokenizers, which is fine). */
  matchesExpected: boolean
}

/** Run the canonical cases through `tokenizer` (the Qwen3 ids only make sense with a Qwen3 vocabulary). */
export async function runCanonicalCases(
  tokenizer: AnalysisTokenizer,
  cases: readonly CanonicalCase[] = QWEN3_CANONICAL_CASES
): Promise<CanonicalCaseResult[]> {
  const out: CanonicalCaseResult[] = []
  for (const c of cases) {
    const result = await retokenizationDrift(c.ids, tokenizer)
    out.push({ case: c, result, matchesExpected: equalIds(result.reencoded.ids, c.expectedReencoded) })
  }
  return out
}
