import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import {
  type MockVLLM,
  type Policy,
  SQL_EPISODE,
  sqlEpisodePolicy,
  startMockVLLM,
  type ToolParserName,
} from '@strands-vllm/mock-server'
import { VLLMModel, type VLLMModelOptions } from '@strands-vllm/model'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type BuildResult, buildTrajectoriesAsync } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { VLLMTokenRecorder } from './recorder.js'
import { fromTitoRecords, parseTitoJsonl, toTitoJsonl } from './tito-jsonl.js'

/**
 * Issue 12, "Done when" 1 and 3, from the trainer's side: the same scripted episode (thinking on, two user turns, a
 * compact-JSON tool call with a non-canonical `H`+`AVING`) recorded in chat mode and in token-in mode against the
 * mock, both transports, both tool-call formats. Chat mode splits where the template rewrites history and loses the
 * sampled ids it rewrote; token-in gives one trajectory per episode, zero divergences, every sampled id kept.
 */
const tokenizer = loadQwen3Tokenizer()
const policy = (): Policy => sqlEpisodePolicy()
const lookup = tool({
  name: 'lookup',
  description: 'Look a SQL keyword up',
  inputSchema: z.object({ term: z.string(), limit: z.number().int() }),
  callback: () => SQL_EPISODE.toolResult,
})
const decoder = { decode: (ids: readonly number[]) => tokenizer.decode([...ids]) }

interface Episode {
  agent: Agent
  history: TitoCallRecord[]
  built: BuildResult
}

/** One rollout as a trainer runs it (recorder, no history rewriting, no retries); `reset`: then a new episode. */
async function rollout(mock: MockVLLM, model: Partial<VLLMModelOptions>, reset = false): Promise<Episode> {
  const recorder = new VLLMTokenRecorder({ rolloutId: 'r-1', addToSpan: false, warn: () => {} })
  const agent = new Agent({
    model: new VLLMModel({
      baseUrl: mock.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logprobs: true,
      maxTokens: 512,
      temperature: 1,
      eosTokenIds: [151645, 151643],
      ...model,
    }),
    tools: [lookup],
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  await agent.invoke('What does HAVING do in SQL?')
  await agent.invoke('thanks!')
  if (reset) {
    agent.messages.splice(0)
    await agent.invoke('What does HAVING do in SQL?')
  }
  const history = [...recorder.history]
  return { agent, history, built: await buildTrajectoriesAsync(history, { decoder }) }
}

describe.each<[ToolParserName, 'stream' | 'json']>([
  ['hermes', 'stream'],
  ['hermes', 'json'],
  ['qwen3_coder', 'stream'],
  ['qwen3_coder', 'json'],
])('chat mode vs token-in, %s tool calls, transport %s', (toolFormat, transport) => {
  let mock: MockVLLM
  let chat: Episode
  let tokenIn: Episode
  const stream = transport === 'stream'

  beforeAll(async () => {
    mock = await startMockVLLM({ policy: policy(), toolParser: toolFormat, seed: 11 })
    chat = await rollout(mock, { stream })
    tokenIn = await rollout(mock, {
      stream,
      tokenIn: toolFormat === 'qwen3_coder' ? { toolParser: 'qwen3_coder' } : true,
    })
  })
  afterAll(() => mock?.close())

  it('the same sampled ids, tool calls and answers in both modes', () => {
    expect(tokenIn.history.map((c) => c.tokenIds)).toEqual(chat.history.map((c) => c.tokenIds))
    expect(tokenIn.history.map((c) => c.toolUses.map((u) => u.name))).toEqual([['lookup'], [], []])
    expect(chat.history.map((c) => c.toolUses.map((u) => u.name))).toEqual([['lookup'], [], []])
    const turns = (e: Episode) =>
      e.agent.messages.map((m) =>
        m.content.map((b) =>
          b.type === 'toolUseBlock'
            ? [b.name, b.input]
            : b.type === 'toolResultBlock'
              ? b.status
              : (b as { text?: string }).text
        )
      )
    expect(turns(tokenIn)).toEqual(turns(chat))
    expect([...chat.history, ...tokenIn.history].every((c) => c.status === 'exact')).toBe(true)
  })

  it('chat mode splits where the template rewrote history; token-in: one trajectory, zero divergences', () => {
    expect(chat.built.divergences.length).toBeGreaterThan(0)
    expect(chat.built.trajectories).toHaveLength(chat.built.divergences.length + 1)
    // Both follow-up prompts split: the tool-call turn (re-tokenized `H`+`AVING`, re-serialized arguments) and the
    // second user turn (Qwen3 drops reasoning before the last user query).
    expect(chat.built.divergences.map((d) => d.callIndex)).toEqual([1, 2])
    expect(chat.built.divergences[1]?.cause).toBe('reasoning_stripped')
    expect(tokenIn.built.divergences).toEqual([])
    expect(tokenIn.built.excluded).toEqual([])
    expect(tokenIn.built.trajectories).toHaveLength(1)
    expect(tokenIn.built.calls.map((l) => l.relation)).toEqual(['first', 'extends', 'extends'])
    expect(tokenIn.built.calls[0]?.renderReason).toBe('first_call')
    expect(tokenIn.built.calls.slice(1).map((l) => l.bridgeLength)).toEqual(
      tokenIn.history.slice(1).map((c) => c.tokenIn?.bridgeLength)
    )
  })

  it('token-in keeps every sampled id for training; chat mode loses the ones the template rewrote', () => {
    const trained = (t: BuildResult['trajectories'][number]) => {
      const ids = t.tokenIds
      const mask = t.lossMask
      return Array.from(ids).filter((_, i) => mask[i] === 1)
    }
    const sampled = tokenIn.history.flatMap((c) => c.tokenIds ?? [])
    expect(trained(tokenIn.built.trajectories[0]!)).toEqual(sampled)
    // The one sequence is the last prompt + the last sampled ids.
    const last = tokenIn.history.at(-1)!
    expect(Array.from(tokenIn.built.trajectories[0]!.tokenIds)).toEqual([...last.promptTokenIds!, ...last.tokenIds!])
    // Chat mode: the trajectories together train on every sampled id too, but each split repeats the re-rendered
    // history as untrained prompt, and the sampled first turn is not in the context the later turns were trained in.
    const last2 = chat.history.at(-1)!
    const first = chat.history[0]!
    const context = last2.promptTokenIds!
    const firstSampled = first.tokenIds!
    const inContext = context.some((_, i) => firstSampled.every((id, k) => context[i + k] === id))
    expect(inContext).toBe(false)
  })

  it('every prompt the server received equals the recorded ids (and the ids it sent are the recorded ones)', () => {
    const chatSent = mock.requests.filter((r) => r.path === '/v1/chat/completions' && r.status === 200)
    expect(chatSent.map((r) => r.promptTokenIds)).toEqual(chat.history.map((c) => c.promptTokenIds))
    const tokenInSent = mock.requests.filter((r) => r.path === '/v1/completions' && r.status === 200)
    expect(tokenInSent.map((r) => (r.body as { prompt: number[] }).prompt)).toEqual(
      tokenIn.history.map((c) => c.promptTokenIds)
    )
    expect(tokenInSent.map((r) => r.tokenIds)).toEqual(tokenIn.history.map((c) => c.tokenIds))
  })

  it('the records say where each token-in prompt came from, and JSONL carries it', () => {
    expect(tokenIn.history.map((c) => [c.mode, c.transport, c.tokenIn?.prompt])).toEqual([
      ['token-in', transport, 'rendered'],
      ['token-in', transport, 'extended'],
      ['token-in', transport, 'extended'],
    ])
    const back = fromTitoRecords(parseTitoJsonl(toTitoJsonl(tokenIn.history)))
    expect(back.map((c) => c.tokenIn)).toEqual(tokenIn.history.map((c) => c.tokenIn))
  })
})

describe('a reset episode on the same agent', () => {
  it('starts a new trajectory cleanly: the render reason on its first link, no divergence', async () => {
    const mock = await startMockVLLM({ policy: policy(), seed: 11 })
    try {
      const episode = await rollout(mock, { tokenIn: true }, true)
      expect(episode.built.divergences).toEqual([])
      expect(episode.built.trajectories).toHaveLength(2)
      expect(episode.built.calls.map((l) => [l.relation, l.renderReason])).toEqual([
        ['first', 'first_call'],
        ['extends', undefined],
        ['extends', undefined],
        ['first', 'messages_reset'],
        ['extends', undefined],
      ])
      const [one, two] = episode.built.trajectories
      expect(one!.callIndices).toEqual([0, 1, 2])
      expect(two!.callIndices).toEqual([3, 4])
      expect(Array.from(two!.tokenIds).slice(0, episode.history[3]!.promptTokenIds!.length)).toEqual(
        episode.history[0]!.promptTokenIds
      )
    } finally {
      await mock.close()
    }
  })
})
