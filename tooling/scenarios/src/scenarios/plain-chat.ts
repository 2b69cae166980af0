import { expect } from 'vitest'
import { expectAllExact, expectIdsMatchUsage, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'

const USER_TEXT = 'Say hello in one short sentence.'

export const plainChat: Scenario = {
  name: 'plain chat: exact ids that match usage',
  description:
    'One turn (streamed or one JSON body, per transport) with return_token_ids: status exact, prompt/completion id counts equal usage, an EOS ends a ' +
    '`stop`, and the decoded prompt holds the user text.',
  async run(ctx) {
    const { agent, recorder } = recordingAgent(ctx)
    await agent.invoke(USER_TEXT)
    expect(recorder.history).toHaveLength(1)
    const call = recorder.history[0]!
    expectAllExact(recorder.history)
    expectIdsMatchUsage(call, ctx.eosTokenIds)
    expect(['stop', 'length']).toContain(call.finishReason)
    expect(await ctx.decoder.decode(call.promptTokenIds ?? [])).toContain(USER_TEXT)
  },
}
