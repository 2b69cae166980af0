import { expect } from 'vitest'
import { expectAllExact, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'

const USER_TEXT = 'Name three primary colours, comma separated.'

/** The vLLM-only response fields the `openai` types do not declare. */
interface WithIds {
  prompt_token_ids?: number[] | null
  choices: Array<{ token_ids?: number[] | null; finish_reason: string | null }>
}

export const streamMatchesNonStream: Scenario = {
  name: "VLLMModel's ids equal the raw client's non-streaming ids (greedy, seeded)",
  description:
    'The ids VLLMModel collects (from the SSE stream, or from its own JSON body with stream: false) equal the ids of ' +
    'the same request sent non-streamed with the openai client at temperature 0 and a fixed seed: no chunk, ' +
    'parser-buffered id or finish-chunk id is lost, and the JSON reader reads the same fields the raw client sees.',
  async run(ctx) {
    const { agent, recorder } = recordingAgent(ctx)
    await agent.invoke(USER_TEXT)
    expectAllExact(recorder.history)
    const recorded = recorder.history[0]!

    const response = (await ctx.client().chat.completions.create({
      model: ctx.target.modelId,
      messages: [{ role: 'user', content: USER_TEXT }],
      ...ctx.sampling,
      ...{ return_token_ids: true },
    })) as unknown as WithIds
    expect(response.prompt_token_ids).toEqual(recorded.promptTokenIds)
    expect(response.choices[0]?.token_ids).toEqual(recorded.tokenIds)
    expect(response.choices[0]?.finish_reason).toBe(recorded.finishReason)
  },
}
