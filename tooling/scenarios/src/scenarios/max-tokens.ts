import { MaxTokensError } from '@strands-agents/sdk'
import { expect } from 'vitest'
import { expectAllExact, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'

export const maxTokens: Scenario = {
  name: 'max_tokens: 5 → finish length, MaxTokensError, 5 exact ids recorded',
  description:
    'A truncated call is still a recorded sample: finish_reason `length`, the SDK throws MaxTokensError, and the ' +
    'recorder already holds the 5 sampled ids, status exact, no EOS at the end.',
  async run(ctx) {
    const { agent, recorder } = recordingAgent(ctx, { model: { maxTokens: 5 } })
    const error = await agent.invoke('Write a long story about a lighthouse keeper.').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MaxTokensError)
    expect(recorder.history).toHaveLength(1)
    expectAllExact(recorder.history)
    const call = recorder.history[0]!
    expect(call.finishReason).toBe('length')
    expect(call.tokenIds).toHaveLength(5)
    expect(call.usage?.completionTokens).toBe(5)
    if (ctx.eosTokenIds) expect(ctx.eosTokenIds).not.toContain(call.tokenIds?.at(-1))
  },
}
