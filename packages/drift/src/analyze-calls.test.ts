import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { describe, expect, it } from 'vitest'
import { agentFlow } from './agent-flow.fixture.js'
import { analyzeCalls, scanCalls } from './analyze-calls.js'
import type { DriftCallRecord } from './call-record.js'
import { summarizeCalls } from './drift-summary.js'
import { DriftInputError } from './errors.js'
import { parseCallsJsonl } from './jsonl.js'
import { syntheticCalls, syntheticTitoJsonl } from './synthetic-calls.js'

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

  it('returns the builder trajectories with drifted and rewritten positions marked', async () => {
    const calls = agentFlow(tokenizer)
    const analysis = await analyzeCalls(calls, tokenizer)
    const [c0, c1, c2] = analysis.calls
    // every call diverges from the one before, so each trajectory holds one call
    expect(analysis.trajectories.map((t) => t.callIndices)).toEqual([[0], [1], [2], [3]])
    expect(analysis.calls.map((c) => c.trajectoryIndex)).toEqual([0, 1, 2, 3])
    const [t0, t1] = analysis.trajectories
    expect(t0?.tokenIds).toEqual([...(calls[0]?.promptTokenIds ?? []), ...(calls[0]?.tokenIds ?? [])])
    expect(t0?.lossMask.filter((m) => m === 1).length).toBe(calls[0]?.tokenIds?.length)
    expect(t0?.responses).toEqual([
      { callIndex: 0, start: calls[0]?.promptTokenIds?.length, length: calls[0]?.tokenIds?.length },
    ])
    // drifted = the call's BPE drift sites, placed in the trajectory
    const start1 = t1?.responses[0]?.start ?? 0
    expect(t1?.drifted).toEqual(c1?.bpe?.driftedIndices.original.map((i) => start1 + i))
    // rewritten = what call 1's prompt renders differently: only the compact `":"` of the tool call, not the rest
    const rerender = c1?.rerender
    expect(t0?.endedBy).toEqual({ callIndex: 1, index: rerender?.index, cause: 'tool_call_reserialized' })
    expect(rerender?.rewritten.length).toBeGreaterThan(0)
    expect(rerender?.rewritten.length).toBeLessThan(rerender?.sampledLost ?? 0)
    expect(rerender?.rewritten[0]).toBe(rerender?.index)
    expect(tokenizer.decode(rerender?.rewritten.map((p) => t0?.tokenIds[p] as number) ?? [])).toContain('":"')
    expect(t0?.rewritten).toEqual(rerender?.rewritten)
    // reasoning stripped: call 2's prompt drops the <think> block that call 1's prompt still showed
    const stripped = c2?.rerender?.rewritten.map((p) => t1?.tokenIds[p] as number) ?? []
    expect(tokenizer.decode(stripped)).toContain('<think>')
    expect(c2?.rerender?.cause).toBe('reasoning_stripped')
    expect(c0?.logprobs).toBeNull()
    // every id the report may draw has its piece
    for (const t of analysis.trajectories) for (const id of t.tokenIds) expect(analysis.pieces[id]).toBeTypeOf('string')
    expect(analysis.pieces[t0?.tokenIds[0] as number]).toBe('<|im_start|>')
  })

  it('summarises logprobs per call and reports prompt and sampled lengths', async () => {
    const calls = agentFlow(tokenizer).map((c) => ({
      ...c,
      logprobs: (c.tokenIds ?? []).map((_, i) => (i === 0 ? -2 : -0.5)),
    }))
    const [first] = (await analyzeCalls(calls, tokenizer)).calls
    const n = calls[0]?.tokenIds?.length ?? 0
    expect(first?.logprobs).toEqual({ count: n, mean: (-2 - 0.5 * (n - 1)) / n, min: -2 })
    expect(first).toMatchObject({ promptLength: calls[0]?.promptTokenIds?.length, sampledLength: n })
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

describe('analyzeCalls with several recorder histories in one rollout', () => {
  // resetOnInvocation: true and the JSONL appended after each invocation: (rolloutId, callIndex) repeats.
  const withRollout = (calls: readonly DriftCallRecord[], invocationIndex?: number): DriftCallRecord[] =>
    calls.map((c) => ({ ...c, rolloutId: 'run', ...(invocationIndex === undefined ? {} : { invocationIndex }) }))
  const episodeA = (): DriftCallRecord[] => agentFlow(tokenizer)
  const episodeB = (): DriftCallRecord[] =>
    syntheticCalls(tokenizer, { rollouts: 1, turnsPerRollout: 3, tokensPerResponse: 40, splitRate: 0.1 })

  const alone = async (calls: DriftCallRecord[]) => (await analyzeCalls(calls, tokenizer)).calls

  it('never interleaves two invocations that reuse the same call indices', async () => {
    const a = withRollout(episodeA(), 0)
    const b = withRollout(episodeB(), 1)
    const analysis = await analyzeCalls([...a, ...b], tokenizer)
    expect(analysis.calls.map((c) => `${c.invocationIndex}:${c.callIndex}`)).toEqual([
      '0:0',
      '0:1',
      '0:2',
      '0:3',
      '1:0',
      '1:1',
      '1:2',
    ])
    const first = await alone(a)
    const offset = Math.max(...first.map((c) => c.trajectoryIndex ?? -1)) + 1
    const second = (await alone(b)).map((c) => ({
      ...c,
      trajectoryIndex: c.trajectoryIndex === null ? null : c.trajectoryIndex + offset,
    }))
    expect(analysis.calls).toEqual([...first, ...second])
    // the first call of the second invocation is compared with nothing, and nothing points across
    expect(analysis.calls[4]?.extendsPrevious).toBeNull()
    expect(analysis.calls[5]?.rerender?.previousCallIndex ?? 0).toBe(0)
    expect(summarizeCalls(analysis.calls)).toEqual(analysis.summary)
  })

  it('splits at a call index that comes back even without invocationIndex (JSONL, recorder.reset())', async () => {
    const a = withRollout(episodeA())
    const b = withRollout(episodeB())
    const text = syntheticTitoJsonl(a) + syntheticTitoJsonl(b)
    const parsed = parseCallsJsonl(text)
    const analysis = await analyzeCalls(parsed, tokenizer)
    expect(analysis.calls.map((c) => c.callIndex)).toEqual([0, 1, 2, 3, 0, 1, 2])
    expect(analysis.summary).toEqual(summarizeCalls([...(await alone(a)), ...(await alone(b))]))
    // the same invocation index after a reset() starts a new history too
    const reset = await analyzeCalls([...withRollout(episodeA(), 0), ...withRollout(episodeA(), 0)], tokenizer)
    expect(reset.summary.rerender).toMatchObject({ checked: 6, diverged: 6 })
    expect(reset.calls[4]?.extendsPrevious).toBeNull()
  })

  it('matches given divergences by invocation, and rejects an ambiguous list', async () => {
    const calls = [...withRollout(episodeA(), 0), ...withRollout(episodeA(), 1)]
    const divergence = { callIndex: 2, previousCallIndex: 1, index: 300, cause: 'reasoning_stripped' } as const
    const analysis = await analyzeCalls(calls, tokenizer, {
      divergences: [{ ...divergence, rolloutId: 'run', invocationIndex: 1 }],
    })
    expect(analysis.calls[2]?.extendsPrevious).toBe(true)
    expect(analysis.calls[6]?.rerender).toMatchObject({ index: 300, previousCallIndex: 1 })
    expect(analysis.summary.rerender).toMatchObject({ checked: 6, diverged: 1, extended: 5 })
    await expect(
      analyzeCalls(calls, tokenizer, {
        divergences: [
          { ...divergence, rolloutId: 'run' },
          { ...divergence, rolloutId: 'run', index: 310 },
        ],
      })
    ).rejects.toThrow(DriftInputError)
  })
})
