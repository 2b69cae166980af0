import { AfterToolCallEvent, type ToolSpec } from '@strands-agents/sdk'
import { VLLMToolValidationHooks } from '@strands-vllm/validation'
import { expect } from 'vitest'
import { expectAllExact, recordingAgent, resultText } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { calculatorTool, planModelCalls } from '../tools.js'

const WEATHER_SPEC: ToolSpec = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}
const EXPECTED = 'Error: unknown tool: get_weather | allowed_tools=[calculator]'

export const validationUnknownTool: Scenario = {
  name: 'validation: a forced call to an unregistered tool is cancelled; the error is in the next prompt',
  description:
    'get_weather is offered in the request but not registered, and forced with a named tool_choice; the ' +
    'validation hooks cancel the call (the tool registry never runs anything) and the exact error text is what ' +
    'the model reads next, in its prompt ids.',
  async run(ctx) {
    const { calculator, calls } = calculatorTool()
    const results: string[] = []
    const { agent, recorder } = recordingAgent(ctx, { tools: [calculator], plugins: [new VLLMToolValidationHooks()] })
    // Call 0: offer and force get_weather. Call 1: no tools, so a real model answers in text.
    planModelCalls(agent, (index) =>
      index === 0 ? { extraToolSpecs: [WEATHER_SPEC], forceTool: 'get_weather' } : { noTools: true }
    )
    agent.addHook(AfterToolCallEvent, (event) => {
      results.push(resultText(event.result.content))
    })

    await agent.invoke('What is the weather in Paris right now?')

    expect(calls).toEqual([])
    expect(results).toEqual([EXPECTED])
    const history = recorder.history
    expect(history).toHaveLength(2)
    expectAllExact(history)
    expect(history[0]!.toolUses.map((use) => use.name)).toEqual(['get_weather'])
    expect(await ctx.decoder.decode(history[1]!.promptTokenIds ?? [])).toContain(EXPECTED)
  },
}
