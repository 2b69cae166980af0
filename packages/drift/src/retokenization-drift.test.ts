import { loadQwen3Tokenizer, QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { describe, expect, it } from 'vitest'
import { QWEN3_CANONICAL_CASES, runCanonicalCases } from './canonical-cases.js'
import { retokenizationDrift } from './retokenization-drift.js'

const tokenizer = loadQwen3Tokenizer()

describe('retokenizationDrift on the shipped Qwen3 tokenizer', () => {
  it('reproduces the blog case H + AVING → HAV + ING with real ids', async () => {
    const r = await retokenizationDrift([39, 83722], tokenizer)
    expect(r.original).toEqual({ ids: [39, 83722], pieces: ['H', 'AVING'], text: 'HAVING' })
    expect(r.reencoded).toEqual({ ids: [72239, 1718], pieces: ['HAV', 'ING'], text: 'HAVING' })
    expect(r).toMatchObject({
      drifted: true,
      firstDivergence: 0,
      textStable: true,
      counts: { original: 2, reencoded: 2 },
      driftedIndices: { original: [0, 1], reencoded: [0, 1] },
      window: { original: 'HAVING', reencoded: 'HAVING' },
      createdSpecialIds: [],
      specialIdsRemoved: 0,
    })
    expect(r.withoutSpecial.drifted).toBe(true)
  })

  it.each(QWEN3_CANONICAL_CASES.map((c) => [c.id, c] as const))('case %s gives its measured ids', async (_, c) => {
    const r = await retokenizationDrift(c.ids, tokenizer)
    expect(r.reencoded.ids).toEqual(c.expectedReencoded)
    expect(r.drifted).toBe(true)
  })

  it('flags text changes, created control tokens and lossy cuts', async () => {
    const [nfc, special, cut] = await Promise.all([
      retokenizationDrift([68, 136, 223], tokenizer),
      retokenizationDrift([27, 91, 318, 6213, 91, 29], tokenizer),
      retokenizationDrift([9707, 220, 75360], tokenizer),
    ])
    expect(nfc.textStable).toBe(false)
    expect(special.createdSpecialIds).toEqual([QWEN3_TOKENS.imEnd])
    expect(cut.replacementChar).toBe(true)
    expect(cut.reencoded.pieces).toEqual(['Hello', 'Ġï¿½'])
  })

  it('reports with and without special tokens', async () => {
    const ids = [QWEN3_TOKENS.imStart, ...tokenizer.encode('assistant\n'), 39, 83722, QWEN3_TOKENS.imEnd]
    const r = await retokenizationDrift(ids, tokenizer)
    expect(r.specialIdsRemoved).toBe(2)
    expect(r.firstDivergence).toBe(3)
    expect(r.driftedIndices.original).toEqual([3, 4])
    expect(r.withoutSpecial.original.ids).toEqual([...tokenizer.encode('assistant\n'), 39, 83722])
    expect(r.withoutSpecial.firstDivergence).toBe(2)
  })

  it('keeps separate drift sites separate and windows the first one', async () => {
    const middle = tokenizer.encode(' and then')
    const ids = [39, 83722, ...middle, 220, 14615, ...tokenizer.encode('.')]
    const r = await retokenizationDrift(ids, tokenizer, { windowTokens: 1 })
    const k = 2 + middle.length
    expect(r.driftedIndices.original).toEqual([0, 1, k, k + 1])
    expect(r.driftedIndices.reencoded).toEqual([0, 1, k])
    expect(r.window).toEqual({ original: 'HAVING and', reencoded: 'HAVING and' })
  })

  it('says canonical ids are stable and shares the same result when nothing is special', async () => {
    const ids = tokenizer.encode('Hello world, HAVING and 😀 are canonical here.')
    const r = await retokenizationDrift(ids, tokenizer)
    expect(r.drifted).toBe(false)
    expect(r.firstDivergence).toBeNull()
    expect(r.withoutSpecial.original).toBe(r.original)
  })
})

describe('runCanonicalCases', () => {
  it('matches every pinned case with Qwen3', async () => {
    const results = await runCanonicalCases(tokenizer)
    expect(results.map((r) => r.matchesExpected)).toEqual(QWEN3_CANONICAL_CASES.map(() => true))
    expect(results[0]?.result.reencoded.ids).toEqual([72239, 1718])
  })
})
