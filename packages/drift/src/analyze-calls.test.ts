import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { describe, expect, it } from 'vitest'
import { agentFlow } from './agent-flow.fixture.js'
import { analyzeCalls, scanCalls, summarizeCalls } from './analyze-calls.js'
import { syntheticCalls } from './synthetic-calls.js'

const tokenizer = loadQwen3Tokenizer()

describe('analyzeCalls on a real Qwen3 tool flow', () => {
  it('finds BPE drift per response and classifies each re-render break', async () => {
    const calls = agentFlow(tokenizer)
    const analysis = await analyzeCalls(calls, tokenizer)
    const [c0, c1, c2, c3] = analysis.calls
    expect(c0?.extendsPrevious).toBeNull()
    expect(c0?.bpe?.drifted).toBe(false)
    expect(c0?.strippedEos).toBe(151645)

    expect(c1?.rerender).toMatchObject({ cause: 'tool_call_reserialized', previousCallIndex: 0 })
    expect(c1?.rerender?.held.text).toContain('":"get_weather"')
    expect(c1?.rerender?.rendered.text).toContain('": "get_weather"')
    expect(c1?.bpe?.drifted).toBe(true)
    expect(c1?.bpe?.original.pieces.slice(-2)).toEqual(['Paris', '.'])

    // the template drops call 0's <think> from history once a new user turn arrives
    expect(c2?.rerender).toMatchObject({ cause: 'reasoning_stripped', previousCallIndex: 1 })
    expect(c2?.rerender?.generatedOffset).toBeLessThan(0)
    expect(c2?.rerender?.held.text).toContain('<think>')
    expect(c2?.bpe?.drifted).toBe(true)

    expect(c3?.rerender?.cause).toBe('retokenization')
    expect(c3?.rerender?.generatedOffset).toBe(c2?.bpe?.firstDivergence)
    expect(c3?.bpe?.drifted).toBe(false)

    expect(analysis.summary).toMatchObject({
      calls: 4,
      responses: 4,
      responsesWithDrift: 2,
      rerender: {
        checked: 3,
        extended: 0,
        diverged: 3,
        byCause: { tool_call_reserialized: 1, reasoning_stripped: 1, retokenization: 1 },
      },
    })
  })

  it('uses the trajectory builder divergences when given', async () => {
    const calls = agentFlow(tokenizer)
    const analysis = await analyzeCalls(calls, tokenizer, {
      divergences: [{ callIndex: 2, previousCallIndex: 1, index: 300, cause: 'reasoning_stripped' }],
    })
    expect(analysis.calls[1]?.extendsPrevious).toBe(true)
    expect(analysis.calls[2]?.rerender).toMatchObject({ index: 300, cause: 'reasoning_stripped' })
    expect(analysis.summary.rerender).toMatchObject({ diverged: 1, extended: 2 })
  })

  it('never compares calls of different rollouts and reports missing ids', async () => {
    const calls = syntheticCalls(tokenizer, { rollouts: 2, turnsPerRollout: 2, tokensPerResponse: 40, splitRate: 0 })
    const withGap = [...calls, { callIndex: 2, rolloutId: 'r1' }]
    const analysis = await analyzeCalls(withGap, tokenizer)
    expect(analysis.summary.rerender).toMatchObject({ checked: 2, extended: 2, diverged: 0 })
    expect(analysis.calls.at(-1)).toMatchObject({ bpe: null, extendsPrevious: null })
    expect(summarizeCalls(analysis.calls)).toEqual(analysis.summary)
  })

  it('scanCalls gives the same counts as analyzeCalls', async () => {
    const calls = syntheticCalls(tokenizer, { rollouts: 3, turnsPerRollout: 3, tokensPerResponse: 60, splitRate: 0.05 })
    const analysis = await analyzeCalls(calls, tokenizer)
    const progress: number[] = []
    const summary = await scanCalls(calls, tokenizer, { onProgress: (done) => progress.push(done) })
    expect(summary).toEqual(analysis.summary)
    expect(summary.responsesWithDrift).toBeGreaterThan(0)
    expect(summary.rerender.byCause.retokenization).toBe(summary.rerender.diverged)
    expect(progress.at(-1)).toBe(calls.length)
  })
})
