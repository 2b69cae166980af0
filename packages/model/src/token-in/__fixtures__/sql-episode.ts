import {
  Agent,
  type ConversationManager,
  type Message,
  ModelStreamUpdateEvent,
  NullConversationManager,
  tool,
} from '@strands-agents/sdk'
import { type Policy, type PolicyContext, scriptedPolicy, type ToolCallFormat } from '@strands-vllm/mock-server'
import { z } from 'zod'
import { getVLLMResponseFields, type VLLMResponseFields } from '../../tito-fields.js'
import type { VLLMModel } from '../../vllm-model.js'

export const USER_1 = 'What does HAVING do in SQL?'
export const USER_2 = 'thanks!'
export const LOOKUP_RESULT = 'HAVING filters groups after GROUP BY.'
export const IM_END = 151645

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
const pick = (ctx: PolicyContext): string => WORDS[Math.floor(ctx.rng() * WORDS.length)] ?? 'alpha'

/**
 * The scripted episode of issue 12: thinking, a tool call in compact JSON with a non-canonical `H`+`AVING`, the
 * answer after the tool result, a second user turn. Sampled words depend on the mock's seeded rng, which is seeded
 * by the conversation, so the same episode samples the same ids in chat mode and in token-in mode.
 */
export function sqlPolicy(toolFormat?: ToolCallFormat): Policy {
  return scriptedPolicy(
    [
      {
        turn: 0,
        match: 'HAVING',
        reply: {
          reasoning: 'They ask about HAVING; look it up.',
          toolCalls: [{ name: 'lookup', arguments: { term: 'HAVING', limit: 2 } }],
        },
      },
      {
        on: 'tool',
        match: 'filters',
        reply: (ctx) => ({
          reasoning: `The tool answered; say it with ${pick(ctx)}.`,
          content: `HAVING filters groups (${pick(ctx)}, turn ${ctx.turn}).`,
        }),
      },
      {
        on: 'user',
        match: 'thanks',
        reply: (ctx) => ({ reasoning: 'Be polite.', content: `You are welcome, ${pick(ctx)} (turn ${ctx.turn}).` }),
      },
    ],
    { compactToolJson: true, nonCanonical: { HAVING: ['H', 'AVING'] }, ...(toolFormat ? { toolFormat } : {}) }
  )
}

export const lookupTool = tool({
  name: 'lookup',
  description: 'Look a SQL keyword up',
  inputSchema: z.object({ term: z.string(), limit: z.number().int() }),
  callback: () => LOOKUP_RESULT,
})

export interface EpisodeRun {
  agent: Agent
  /** The fields of every model call, in order. */
  fields: VLLMResponseFields[]
}

/** A rollout-style agent (no printer, no history rewriting, no retries) recording each call's fields. */
export function episodeAgent(
  model: VLLMModel,
  options: { conversationManager?: ConversationManager; systemPrompt?: string } = {}
): EpisodeRun {
  const fields: VLLMResponseFields[] = []
  const agent = new Agent({
    model,
    tools: [lookupTool],
    printer: false,
    conversationManager: options.conversationManager ?? new NullConversationManager(),
    retryStrategy: null,
    ...(options.systemPrompt ? { systemPrompt: options.systemPrompt } : {}),
  })
  agent.addHook(ModelStreamUpdateEvent, ({ event }) => {
    if (event.type !== 'modelMessageStopEvent') return
    const f = getVLLMResponseFields(event.additionalModelResponseFields)
    if (f) fields.push(f)
  })
  return { agent, fields }
}

/** Both user turns of the episode: three model calls (tool call, answer, answer). */
export async function runSqlEpisode(model: VLLMModel): Promise<EpisodeRun> {
  const run = episodeAgent(model)
  await run.agent.invoke(USER_1)
  await run.agent.invoke(USER_2)
  return run
}

/** What the agent kept of each assistant turn: reasoning, text, tool calls (name + input). */
export function assistantTurns(messages: readonly Message[]): unknown[] {
  return messages
    .filter((m) => m.role === 'assistant')
    .map((m) =>
      m.content.map((b) =>
        b.type === 'toolUseBlock'
          ? { tool: b.name, input: b.input }
          : b.type === 'reasoningBlock'
            ? { reasoning: b.text }
            : b.type === 'textBlock'
              ? { text: b.text }
              : { other: b.type }
      )
    )
}
