import { AfterToolsEvent } from '@strands-agents/sdk'
import { calculatorPolicy } from '@strands-vllm/mock-server'
import { formatMessages, formatTools } from '@strands-vllm/model/internal'
import { expect } from 'vitest'
import { expectAllExact, recordingAgent } from '../agent-harness.js'
import type { Scenario } from '../scenario.js'
import { calculatorTool } from '../tools.js'

const startsWith = (ids: readonly number[], prefix: readonly number[]): boolean =>
  prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id)

/**
 * Where the chat template is prefix-stable (thinking on, a tool turn: Qwen3 keeps reasoning after the last user
 * query), the server's own rendering of the full conversation must be the token-in prompt, id for id: the bridge
 * is what the template appends. Where it is not stable, chat mode would have split and token-in did not.
 */
export const tokenInMatchesRender: Scenario = {
  name: 'token-in prompt = the server’s rendering of the whole conversation where the template is prefix-stable',
  description:
    'Thinking on, one calculator turn: `POST /tokenize` of the full conversation (what chat mode would send) ' +
    'either starts with call 1’s prompt + sampled ids — then it equals token-in’s second prompt exactly — or it ' +
    'does not, and chat mode would have split the trajectory there.',
  mockPolicy: calculatorPolicy(),
  async run(ctx) {
    const kwargs = { enable_thinking: true }
    const { calculator } = calculatorTool()
    const { agent, recorder } = recordingAgent(ctx, {
      tools: [calculator],
      // Thinking takes tokens: room for it, so a real model is not cut off.
      model: { tokenIn: true, maxTokens: 4096, params: { ...paramsOf(ctx.sampling), chat_template_kwargs: kwargs } },
    })
    let rounds = 0
    agent.addHook(AfterToolsEvent, (event) => {
      if (++rounds >= 2) event.endTurn = true
    })
    await agent.invoke('What is 17 * 23? Use the calculator tool.')
    const history = recorder.history
    expectAllExact(history)
    if (history.length < 2) {
      // The model answered without the tool: nothing was appended, nothing to compare.
      expect(ctx.target.kind, 'the mock always calls the tool').toBe('live')
      return
    }
    const [first, second] = history
    // The conversation as chat mode would send it for call 2: the user turn, the assistant turn, the tool result.
    const messages = formatMessages(agent.messages.slice(0, 3), () => {})
    const tools = formatTools([calculator.toolSpec])
    const full = (await ctx.fetchJson('/tokenize', {
      model: ctx.target.modelId,
      messages,
      tools,
      add_generation_prompt: true,
      chat_template_kwargs: kwargs,
    })) as { tokens: number[] }
    const previous = [...first!.promptTokenIds!, ...first!.tokenIds!]
    if (startsWith(full.tokens, previous)) {
      expect(second!.promptTokenIds).toEqual(full.tokens)
    } else {
      // Not stable (the template rewrote the turn, or the sampled ids are not its canonical tokenization).
      expect(startsWith(second!.promptTokenIds!, previous)).toBe(true)
    }
    if (ctx.target.kind === 'mock') expect(startsWith(full.tokens, previous), 'the mock case is stable').toBe(true)
  },
}

function paramsOf(sampling: Record<string, unknown>): Record<string, unknown> {
  const { max_tokens: _m, temperature: _t, top_p: _p, ...params } = sampling
  return params
}
