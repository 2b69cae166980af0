import { AfterToolsEvent } from '@strands-agents/sdk'
import { calculatorPolicy } from '@strands-vllm/mock-server'
import { buildTrajectoriesAsync } from '@strands-vllm/tito'
import { expect } from 'vitest'
import { expectAllExact, expectIdsMatchUsage, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { calculatorTool } from '../tools.js'

const MAX_TOOL_ROUNDS = 3

/** Token-in's wire facts on a tool loop: one exact id sequence per episode, never re-rendered. */
export const tokenInRoundTrip: Scenario = {
  name: 'token-in tool round trip: every call exact, each prompt extends the last, one trajectory',
  description:
    'Token-in (`tokenIn: true`: the first prompt from `/tokenize`, then the client’s own ids to /v1/completions) ' +
    'on a calculator loop: every call exact, each prompt is the previous prompt + sampled ids + a bridge (never ' +
    'rendered again), the server used exactly the ids sent, the tool result is in the next prompt, and the ' +
    'trajectory builder sees one trajectory with zero divergences.',
  mockPolicy: calculatorPolicy(),
  async run(ctx) {
    const { calculator, results } = calculatorTool()
    const { agent, recorder } = recordingAgent(ctx, { tools: [calculator], model: { tokenIn: true } })
    let rounds = 0
    agent.addHook(AfterToolsEvent, (event) => {
      if (++rounds >= MAX_TOOL_ROUNDS) event.endTurn = true
    })

    await agent.invoke('What is 17 * 23? Use the calculator tool.')

    const history = recorder.history
    expect(history.length).toBeGreaterThanOrEqual(1)
    expectAllExact(history)
    for (const call of history) expectIdsMatchUsage(call, ctx.eosTokenIds)
    expect(history.map((c) => c.mode)).toEqual(history.map(() => 'token-in'))
    expect(history[0]!.tokenIn).toMatchObject({ prompt: 'rendered', renderReason: 'first_call', renderer: 'server' })
    for (let i = 1; i < history.length; i++) {
      const before = history[i - 1]!
      const previous = [...before.promptTokenIds!, ...before.tokenIds!]
      const call = history[i]!
      // The prompt ids are the server's echo: it used exactly previous prompt + sampled ids + the bridge.
      expect(call.tokenIn, `call ${i}`).toMatchObject({ prompt: 'extended', previousLength: previous.length })
      expect(call.promptTokenIds!.slice(0, previous.length)).toEqual(previous)
    }
    if (results.length > 0) {
      expect(history.length).toBeGreaterThanOrEqual(2)
      expect(await ctx.decoder.decode(history[1]!.promptTokenIds ?? [])).toContain(results[0])
    }
    const built = await buildTrajectoriesAsync(history, { decoder: ctx.decoder })
    expect(built.excluded).toEqual([])
    expect(built.divergences).toEqual([])
    expect(built.trajectories).toHaveLength(1)
  },
}
