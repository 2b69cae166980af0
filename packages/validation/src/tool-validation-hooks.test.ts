import { BeforeToolCallEvent, type Plugin, tool } from '@strands-agents/sdk'
import { makeInvalidToolInput } from '@strands-vllm/model'
import { ScriptedModel, type ScriptedTurn, testAgent } from '@strands-vllm/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { calculatorTool } from './testing/tools.js'
import { VLLMToolValidationHooks } from './tool-validation-hooks.js'

function setup(
  turns: ScriptedTurn[],
  hooks = new VLLMToolValidationHooks(),
  extraPlugins: Plugin[] = [],
  extraOrder: 'first' | 'last' = 'last'
) {
  const ran: unknown[] = []
  const calculator = calculatorTool(ran)
  const add = tool({
    name: 'add',
    description: 'Add two integers',
    inputSchema: z.object({ a: z.number().int(), b: z.number().int() }),
    callback: ({ a, b }) => {
      ran.push({ a, b })
      return a + b
    },
  })
  const model = new ScriptedModel(turns)
  const agent = testAgent({
    model,
    tools: [calculator, add],
    plugins: extraOrder === 'first' ? [...extraPlugins, hooks] : [hooks, ...extraPlugins],
  })
  return { agent, model, ran }
}

describe('VLLMToolValidationHooks in a real Agent', () => {
  it('cancels an unknown tool with the exact text; the tool list is in registry order', async () => {
    const { agent, model, ran } = setup([{ toolCalls: [{ name: 'fake_tool', input: {} }] }, { text: 'ok' }])
    await agent.invoke('go')
    expect(model.toolResultsSeen(1)).toEqual([
      { status: 'error', text: 'Error: unknown tool: fake_tool | allowed_tools=[calculator, add]' },
    ])
    expect(ran).toEqual([])
  })

  it('suggests the closest registered tool when enabled', async () => {
    const hooks = new VLLMToolValidationHooks({ suggestClosestTool: true, maxAllowedToolsInError: 1 })
    const { agent, model } = setup([{ toolCalls: [{ name: 'calculater', input: {} }] }, { text: 'ok' }], hooks)
    await agent.invoke('go')
    expect(model.toolResultsSeen(1)[0]?.text).toBe(
      'Error: unknown tool: calculater | allowed_tools=[calculator, ... (+1 more)] | did you mean: calculator?'
    )
  })

  it('cancels wrong-typed, missing, unknown and malformed arguments; runs the valid call', async () => {
    const marker = makeInvalidToolInput('{"expression": "1+', 'Unexpected end of JSON input')
    const { agent, model, ran } = setup([
      {
        toolCalls: [
          { name: 'calculator', input: { expression: 7 } },
          { name: 'calculator', input: {} },
          { name: 'calculator', input: { expression: '1', invalid_param: 1 } },
          { name: 'calculator', input: marker },
          { name: 'add', input: { a: 1, b: 'two' } },
          { name: 'calculator', input: { expression: '6*7' } },
        ],
      },
      { text: 'ok' },
    ])
    await agent.invoke('go')
    expect(model.toolResultsSeen(1)).toEqual([
      { status: 'error', text: 'Error: tool_name=<calculator> | invalid argument(s): /expression must be string' },
      { status: 'error', text: 'Error: tool_name=<calculator> | missing required argument(s): expression' },
      { status: 'error', text: 'Error: tool_name=<calculator> | unknown argument(s): invalid_param' },
      { status: 'error', text: 'Error: tool_name=<calculator> | tool input is not valid JSON' },
      { status: 'error', text: 'Error: tool_name=<add> | invalid argument(s): /b must be integer' },
      { status: 'success', text: '42' },
    ])
    expect(ran).toEqual([{ expression: '6*7' }])
  })

  it('leaves a call another hook already cancelled alone', async () => {
    const budget: Plugin = {
      name: 'budget',
      initAgent(agent) {
        agent.addHook(BeforeToolCallEvent, (e) => {
          e.cancel = 'budget exhausted'
        })
      },
    }
    const { agent, model } = setup(
      [{ toolCalls: [{ name: 'fake_tool', input: {} }] }, { text: 'ok' }],
      new VLLMToolValidationHooks(),
      [budget]
    )
    // our plugin registers first, so it cancels first; the budget hook then overwrites the text
    await agent.invoke('go')
    expect(model.toolResultsSeen(1)[0]?.text).toBe('budget exhausted')
  })

  it('validates against the tool an earlier hook renamed the call to', async () => {
    const rename: Plugin = {
      name: 'rename',
      initAgent(agent) {
        agent.addHook(BeforeToolCallEvent, (e) => {
          if (e.toolUse.name === 'calc') e.toolUse = { ...e.toolUse, name: 'calculator' }
        })
      },
    }
    const turns: ScriptedTurn[] = [{ toolCalls: [{ name: 'calc', input: { expression: 1 } }] }, { text: 'ok' }]
    const { agent, model, ran } = setup(turns, new VLLMToolValidationHooks(), [rename], 'first')
    await agent.invoke('go')
    expect(model.toolResultsSeen(1)[0]?.text).toBe(
      'Error: tool_name=<calculator> | invalid argument(s): /expression must be string'
    )
    expect(ran).toEqual([])
  })
})
