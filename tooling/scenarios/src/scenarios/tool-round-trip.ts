import { AfterToolsEvent } from '@strands-agents/sdk'
import { calculatorPolicy } from '@strands-vllm/mock-server'
import { buildTrajectoriesAsync } from '@strands-vllm/tito'
import { expect } from 'vitest'
import { expectAllExact, expectIdsMatchUsage, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { calculatorTool, planModelCalls } from '../tools.js'

/** A real model may keep calling the tool; the rollout is cut after this many tool rounds. */
const MAX_TOOL_ROUNDS = 3

export const toolRoundTrip: Scenario = {
  name: 'tool round trip: every call exact, prompts extend or diverge for a known cause',
  description:
    'A calculator call forced on the first turn (named tool_choice), then free turns: every call is exact, the ' +
    "tool's result text is in the next prompt, and each prompt extends the previous call or diverges for a " +
    'classified cause (never `unknown`).',
  mockPolicy: calculatorPolicy(),
  async run(ctx) {
    const { calculator, calls, results } = calculatorTool()
    const { agent, recorder } = recordingAgent(ctx, { tools: [calculator] })
    planModelCalls(agent, (index) => (index === 0 ? { forceTool: 'calculator' } : {}))
    let rounds = 0
    agent.addHook(AfterToolsEvent, (event) => {
      if (++rounds >= MAX_TOOL_ROUNDS) event.endTurn = true
    })

    await agent.invoke('What is 17 * 23? Use the calculator tool.')

    const history = recorder.history
    expect(history.length).toBeGreaterThanOrEqual(2)
    expectAllExact(history)
    for (const call of history) expectIdsMatchUsage(call, ctx.eosTokenIds)
    expect(history[0]!.toolUses.map((use) => use.name)).toEqual(['calculator'])
    expect(calls.length).toBeGreaterThanOrEqual(1)
    expect(await ctx.decoder.decode(history[1]!.promptTokenIds ?? [])).toContain(results[0])

    const built = await buildTrajectoriesAsync(history, { decoder: ctx.decoder })
    expect(built.excluded).toEqual([])
    for (const divergence of built.divergences) {
      expect(divergence.cause, `call ${divergence.callIndex}: ${divergence.detail}`).not.toBe('unknown')
    }
    expect(built.trajectories.length).toBe(built.divergences.length + 1)
  },
}
