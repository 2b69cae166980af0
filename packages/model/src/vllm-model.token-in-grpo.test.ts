import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EpisodeRun, episodeAgent, sqlPolicy, USER_1 } from './token-in/__fixtures__/sql-episode.js'
import { VLLMModel } from './vllm-model.js'

/**
 * Issue 12, "Done when" 3: GRPO-style sampling — the same task, 64 concurrent rollouts, one token-in model instance
 * each, one shared `openai` client. Each rollout's prompts and ids are its own: the server saw each session's
 * prompts exactly as that rollout recorded them, and each second prompt extends its own first call.
 */
const ROLLOUTS = 64
let mock: MockVLLM
let runs: EpisodeRun[]

beforeAll(async () => {
  mock = await startMockVLLM({ policy: sqlPolicy(), seed: 11 })
  const client = new OpenAI({ baseURL: mock.baseUrl, apiKey: 'EMPTY', maxRetries: 0 })
  runs = await Promise.all(
    Array.from({ length: ROLLOUTS }, async (_, i) => {
      // A per-rollout seed, so the rollouts sample different answers to the same task.
      const model = new VLLMModel({
        client,
        modelId: 'Qwen/Qwen3-8B',
        tokenIn: true,
        maxTokens: 256,
        logprobs: true,
        eosTokenIds: [151645, 151643],
        params: { seed: i },
      })
      const run = episodeAgent(model)
      await run.agent.invoke(USER_1)
      return run
    })
  )
})
afterAll(() => mock?.close())

describe(`${ROLLOUTS} concurrent token-in rollouts of one task, one shared client`, () => {
  it('each rollout has its own session key, and the server saw exactly its prompts and sent exactly its ids', () => {
    const sessions = runs.map((run) => run.fields[0]!.tito.sessionId)
    expect(new Set(sessions).size).toBe(ROLLOUTS)
    for (const run of runs) {
      expect(run.fields).toHaveLength(2)
      const session = run.fields[0]!.tito.sessionId!
      expect(run.fields.every((f) => f.tito.sessionId === session && f.tito.status === 'exact')).toBe(true)
      const sent = mock.requests.filter((r) => r.path === '/v1/completions' && r.headers['x-session-id'] === session)
      expect(sent.map((r) => r.promptTokenIds)).toEqual(run.fields.map((f) => f.promptTokenIds))
      expect(sent.map((r) => r.tokenIds)).toEqual(run.fields.map((f) => f.tokenIds))
      expect(sent.map((r) => r.logprobs)).toEqual(run.fields.map((f) => f.logprobs))
    }
  })

  it('each second prompt extends its own first call, and each answer is the text of its own ids', () => {
    const tokenizer = loadQwen3Tokenizer()
    for (const run of runs) {
      const [first, second] = run.fields
      const previous = [...first!.promptTokenIds!, ...first!.tokenIds!]
      expect(second!.promptTokenIds!.slice(0, previous.length)).toEqual(previous)
      expect(second!.tito.tokenIn).toMatchObject({ prompt: 'extended', previousLength: previous.length })
      const text = run.agent.messages.at(-1)!.content.find((b) => b.type === 'textBlock')
      expect(tokenizer.decode(second!.tokenIds!)).toContain(text?.type === 'textBlock' ? text.text.trim() : '?')
    }
    // The seeds made the rollouts differ, so a mix-up could not pass unnoticed.
    expect(new Set(runs.map((run) => JSON.stringify(run.fields[1]!.tokenIds))).size).toBeGreaterThan(4)
  })
})
