import { ContextWindowOverflowError } from '@strands-agents/sdk'
import { expect } from 'vitest'
import { recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { servedModel } from '../server-models.js'

export const contextOverflow: Scenario = {
  name: "context overflow: a prompt over max_model_len throws the SDK's ContextWindowOverflowError",
  description:
    "A prompt longer than the server's max_model_len (read from /v1/models) makes vLLM answer 400 with its " +
    'context-length message; the agent sees ContextWindowOverflowError (the end-of-rollout signal, not an ' +
    'infrastructure failure) and the recorder keeps a `missing` record with the error.',
  async run(ctx) {
    const { max_model_len } = await servedModel(ctx)
    const { agent, recorder } = recordingAgent(ctx)
    // Every ' hi' is at least one token in any BPE vocabulary, so this is over the limit whatever the model.
    const error = await agent.invoke('hi '.repeat(max_model_len + 64)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ContextWindowOverflowError)
    expect(recorder.history).toHaveLength(1)
    expect(recorder.history[0]).toMatchObject({ status: 'missing', error: { name: 'ContextWindowOverflowError' } })
  },
}
