import { AfterToolCallEvent } from '@strands-agents/sdk'
import { scriptedPolicy } from '@strands-vllm/mock-server'
import { VLLMToolValidationHooks } from '@strands-vllm/validation'
import { expect } from 'vitest'
import { expectAllExact, recordingAgent, resultText } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { calculatorTool } from '../tools.js'

const EXPECTED = 'Error: tool_name=<calculator> | invalid argument(s): /expression must be string'

export const validationSchemaViolation: Scenario = {
  name: 'validation: a wrong-typed argument is cancelled; the error is in the next prompt',
  description:
    'The scripted model passes a number where the schema wants a string (a real model under guided decoding ' +
    'cannot be made to); the hooks cancel the call and the next prompt holds the error inside <tool_response>.',
  mockOnly: true,
  mockPolicy: scriptedPolicy([
    { match: (c) => c.turn === 0, reply: { toolCalls: [{ name: 'calculator', arguments: { expression: 7 } }] } },
    { match: (c) => c.turn === 1, reply: { content: 'The calculator rejected my input.' } },
  ]),
  async run(ctx) {
    const { calculator, calls } = calculatorTool()
    const results: string[] = []
    const { agent, recorder } = recordingAgent(ctx, { tools: [calculator], plugins: [new VLLMToolValidationHooks()] })
    agent.addHook(AfterToolCallEvent, (event) => {
      results.push(resultText(event.result.content))
    })

    await agent.invoke('What is 3 + 4?')

    expect(calls).toEqual([])
    expect(results).toEqual([EXPECTED])
    expect(recorder.history).toHaveLength(2)
    expectAllExact(recorder.history)
    const prompt = await ctx.decoder.decode(recorder.history[1]!.promptTokenIds ?? [])
    expect(prompt).toContain(`<tool_response>\n${EXPECTED}\n</tool_response>`)
  },
}
