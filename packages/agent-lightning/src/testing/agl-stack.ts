import type { Model, Plugin } from '@strands-agents/sdk'
import { type Agent, tool } from '@strands-agents/sdk'
import { type AglGateway, type AglGatewayOptions, startAglGateway } from '@strands-vllm/agl-gateway'
import {
  calculatorPolicy,
  evaluateArithmetic,
  type MockVLLM,
  type Policy,
  startMockVLLM,
} from '@strands-vllm/mock-server'
import { testAgent } from '@strands-vllm/testing'
import { z } from 'zod'
import { type AglRolloutEnv, readAglEnv } from '../agl-env.js'

/** The key the test gateways require (never expected in any log, span or error). */
export const TEST_KEY = 'sk-agl-test-4c1d9e'

export interface AglStack {
  gateway: AglGateway
  vllm: MockVLLM[]
  /** The parsed `AGL_*` environment a rollout process of `rolloutId` gets from the controller. */
  env(rolloutId: string): AglRolloutEnv
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
    env: (rolloutId) => readAglEnv(gateway.rolloutEnv(rolloutId)),
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
  return testAgent({ model, tools: [calculator], plugins, ...extra })
}
