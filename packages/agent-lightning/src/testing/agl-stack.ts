import type { Model, Plugin } from '@strands-agents/sdk'
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { type AglGateway, type AglGatewayOptions, startAglGateway } from '@strands-vllm/agl-gateway'
import {
  calculatorPolicy,
  evaluateArithmetic,
  type MockVLLM,
  type Policy,
  startMockVLLM,
} from '@strands-vllm/mock-server'
import { z } from 'zod'

/** The key the test gateways require (never expected in any log, span or error). */
export const TEST_KEY = 'sk-agl-test-4c1d9e'

export interface AglStack {
  gateway: AglGateway
  vllm: MockVLLM[]
  close(): Promise<void>
}

/** The gateway stand-in in front of `replicas` mock vLLM servers (calculator policy unless given). */
export async function startAglStack(
  options: { replicas?: number; policy?: Policy; gateway?: AglGatewayOptions } = {}
): Promise<AglStack> {
  const vllm = await Promise.all(
    Array.from({ length: options.replicas ?? 1 }, () => startMockVLLM({ policy: options.policy ?? calculatorPolicy() }))
  )
  const gateway = await startAglGateway({
    key: TEST_KEY,
    upstreams: vllm.map((v) => v.baseUrl),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options.gateway,
  })
  return {
    gateway,
    vllm,
    async close() {
      await gateway.close()
      await Promise.all(vllm.map((v) => v.close()))
    },
  }
}

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression.',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

/** A rollout agent as RL wants it: no printer, no history trimming, no SDK retries. */
export function rolloutAgent(
  model: Model,
  plugins: Plugin[],
  extra: { name?: string; traceAttributes?: Record<string, string> } = {}
): Agent {
  return new Agent({
    model,
    tools: [calculator],
    plugins,
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
    ...extra,
  })
}
