import { analyzeCalls } from '@strands-vllm/drift'
import { buildTrajectoriesAsync } from '@strands-vllm/tito'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareModes, type ModeComparison } from './mode-comparison.js'
import { type DriftRollout, runDriftRollout } from './rollout.js'

let chat: DriftRollout
let tokenIn: DriftRollout
let comparison: ModeComparison

beforeAll(async () => {
  chat = await runDriftRollout({ env: {}, mode: 'chat' })
  tokenIn = await runDriftRollout({ env: {}, mode: 'token-in' })
  const decoder = { decode: async (ids: readonly number[]) => chat.tokenizer.decode(ids) }
  comparison = compareModes(
    { history: chat.history, built: await buildTrajectoriesAsync(chat.history, { decoder }) },
    { history: tokenIn.history, built: await buildTrajectoriesAsync(tokenIn.history, { decoder }) }
  )
}, 60_000)
afterAll(async () => {
  await chat?.close()
  await tokenIn?.close()
})

describe('step 4: the demo episode in chat mode and in token-in mode (issue 12, demo bullet)', () => {
  it('samples the same ids in both modes, through the two request paths', () => {
    expect(chat.history.map((c) => [c.mode, c.status])).toEqual(Array(4).fill(['chat', 'exact']))
    expect(tokenIn.history.map((c) => [c.mode, c.status])).toEqual(Array(4).fill(['token-in', 'exact']))
    expect(tokenIn.history.map((c) => c.tokenIds)).toEqual(chat.history.map((c) => c.tokenIds))
    expect(comparison.sampledIds).toEqual({
      identical: true,
      calls: { chat: 4, tokenIn: 4 },
      tokens: 132,
      firstDifference: null,
    })
    // the same tool results reached the model: the validation error, then the calculator's answer
    expect(tokenIn.toolResults).toEqual(chat.toolResults)
  })

  it('token-in: rendered once, then each prompt = previous prompt + sampled + bridge; one trajectory, nothing lost', () => {
    expect(tokenIn.history.map((c) => [c.tokenIn?.prompt, c.tokenIn?.renderReason])).toEqual([
      ['rendered', 'first_call'],
      ['extended', null],
      ['extended', null],
      ['extended', null],
    ])
    tokenIn.history.slice(1).forEach((call, i) => {
      const previous = tokenIn.history[i]!
      const held = [...previous.promptTokenIds!, ...previous.tokenIds!]
      expect(call.promptTokenIds!.slice(0, held.length)).toEqual(held)
      expect(call.promptTokenIds!.length - held.length).toBe(call.tokenIn?.bridgeLength)
    })
    expect(comparison.tokenIn).toMatchObject({
      trajectories: 1,
      divergences: [],
      sampled: 132,
      trainingTokens: 365,
      contextTokens: 233,
      rewritten: { total: 0, byCall: [] },
      lostAsOneSequence: 0,
    })
  })

  it('chat mode: splits where the template rewrites history and loses the sampled ids it rewrote', async () => {
    expect(comparison.chat.trajectories).toBeGreaterThan(1)
    expect(comparison.chat).toMatchObject({ trajectories: 3, sampled: 132, trainingTokens: 932, contextTokens: 800 })
    expect(comparison.chat.divergences.map((d) => [d.callIndex, d.index, d.cause])).toEqual([
      [2, 269, 'tool_call_reserialized'],
      [3, 176, 'reasoning_stripped'],
    ])
    // the tail of call 1's compact tool call, and all of call 2 (its prompt dropped call 0's <think> before it)
    expect(comparison.chat.rewritten).toEqual({
      total: 45,
      byCall: [
        { callIndex: 1, tokens: 10 },
        { callIndex: 2, tokens: 35 },
      ],
    })
    // the drift analysis counts the same sampled tokens as not reproduced, independently of the builder
    const { summary } = await analyzeCalls(chat.history, chat.tokenizer)
    expect(summary.rerender.sampledTokensLost).toBe(comparison.chat.rewritten.total)
    // one sequence per episode (trust-server): only call 3's 18 sampled tokens survive the two rebases
    expect(comparison.chat.lostAsOneSequence).toBe(132 - 18)
  })
})
