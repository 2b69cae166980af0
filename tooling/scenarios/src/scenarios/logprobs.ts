import { expect } from 'vitest'
import { expectAllExact, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'

export const logprobsAligned: Scenario = {
  name: 'logprobs aligned 1:1 with ids',
  description:
    'With logprobs and top_logprobs: 2, every sampled id has exactly one logprob (finite, ≤ 0) and one top list of at ' +
    'most 2 alternatives: what importance ratios are computed from.',
  async run(ctx) {
    const { agent, recorder } = recordingAgent(ctx, { model: { logprobs: { top: 2 } } })
    await agent.invoke('Count from one to five in words.')
    expectAllExact(recorder.history)
    const call = recorder.history[0]!
    const ids = call.tokenIds ?? []
    expect(ids.length).toBeGreaterThan(0)
    expect(call.logprobs).toHaveLength(ids.length)
    for (const logprob of call.logprobs ?? []) {
      expect(Number.isFinite(logprob)).toBe(true)
      expect(logprob).toBeLessThanOrEqual(0)
    }
    expect(call.topLogprobs).toHaveLength(ids.length)
    for (const top of call.topLogprobs ?? []) {
      expect(top.length).toBeLessThanOrEqual(2)
      for (const alt of top) expect(alt.logprob).toBeLessThanOrEqual(0)
    }
  },
}
