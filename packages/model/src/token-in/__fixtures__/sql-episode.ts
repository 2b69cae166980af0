import {
  Agent,
  type ConversationManager,
  type Message,
  ModelStreamUpdateEvent,
  NullConversationManager,
  tool,
} from '@strands-agents/sdk'
import { type Policy, SQL_EPISODE, sqlEpisodePolicy, type ToolCallFormat } from '@strands-vllm/mock-server'
import { z } from 'zod'
import { getVLLMResponseFields, type VLLMResponseFields } from '../../tito-fields.js'
import type { VLLMModel } from '../../vllm-model.js'

export const USER_1 = SQL_EPISODE.user1
export const USER_2 = SQL_EPISODE.user2
export const LOOKUP_RESULT = SQL_EPISODE.toolResult
export const IM_END = 151645

/** The scripted episode of issue 12 (`sqlEpisodePolicy` of the mock: thinking, compact JSON, `H`+`AVING`, two turns). */
export function sqlPolicy(toolFormat?: ToolCallFormat): Policy {
  return sqlEpisodePolicy(toolFormat ? { toolFormat } : {})
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
