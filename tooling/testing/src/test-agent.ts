import { Agent, type AgentConfig, NullConversationManager, tool } from '@strands-agents/sdk'
import { z } from 'zod'

/**
 * An `Agent` as an RL rollout runs one: no console printer, the history never trimmed (`NullConversationManager`,
 * so every prompt extends the last), no SDK retries (a failure is the test's to see). `config` overrides any of it.
 */
export function testAgent(config: AgentConfig): Agent {
  return new Agent({
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
    ...config,
  })
}

/** A tool the scripted and mock models call in tests: adds two integers. */
export const addTool = tool({
  name: 'add',
  description: 'Add two integers',
  inputSchema: z.object({ a: z.number().int(), b: z.number().int() }),
  callback: ({ a, b }) => a + b,
})
