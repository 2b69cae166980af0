import { Agent, NullConversationManager, type Plugin, type Tool } from '@strands-agents/sdk'
import type { VLLMModelOptions } from '@strands-vllm/model'
import { type TitoCallRecord, VLLMTokenRecorder } from '@strands-vllm/tito'
import { expect } from 'vitest'
import type { ScenarioContext } from './scenario.js'

export interface HarnessOptions {
  tools?: Tool[]
  plugins?: Plugin[]
  model?: Partial<VLLMModelOptions>
}

/**
 * A rollout-style agent (no history rewriting, no retries, no printing) with a token recorder, the way an RL
 * trainer runs one, so the scenarios check what a trainer would record.
 */
export function recordingAgent(ctx: ScenarioContext, options: HarnessOptions = {}) {
  const recorder = new VLLMTokenRecorder({ addToSpan: false, warn: () => {} })
  const agent = new Agent({
    model: ctx.model(options.model),
    tools: options.tools ?? [],
    plugins: [...(options.plugins ?? []), recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  return { agent, recorder }
}

/** Asserts every call was recorded `exact`, printing the reasons when not. */
export function expectAllExact(history: readonly TitoCallRecord[]): void {
  for (const call of history) {
    expect({ call: call.callIndex, status: call.status, reasons: call.reasons }).toEqual({
      call: call.callIndex,
      status: 'exact',
      reasons: [],
    })
  }
}

/** Asserts the wire facts every exact call must satisfy: ids match the server's usage counts, EOS ends a `stop`. */
export function expectIdsMatchUsage(call: TitoCallRecord, eosTokenIds: readonly number[] | undefined): void {
  expect(call.usage, `call ${call.callIndex} usage`).not.toBeNull()
  expect(call.promptTokenIds?.length).toBe(call.usage?.promptTokens)
  expect(call.tokenIds?.length).toBe(call.usage?.completionTokens)
  expect(call.tokenIds?.length ?? 0).toBeGreaterThan(0)
  if (call.finishReason === 'stop' && call.stopReason === null && eosTokenIds) {
    expect(eosTokenIds).toContain(call.tokenIds?.at(-1))
  }
}

/** The text of a tool result, as the model will read it. */
export function resultText(content: readonly unknown[]): string {
  return content
    .map((block) => (block && typeof block === 'object' && 'text' in block ? String(block.text) : ''))
    .join('')
}
