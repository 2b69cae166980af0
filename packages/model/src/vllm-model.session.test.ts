import { Agent, ModelStreamUpdateEvent, NullConversationManager, tool } from '@strands-agents/sdk'
import { calculatorPolicy, evaluateArithmetic, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { getVLLMResponseFields } from './tito-fields.js'
import { SESSION_STATE_KEY } from './transport/session-key.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/**
 * Session affinity (issue 14): every request of one conversation carries the same key, as body `session_id` and
 * a header, so a router (vllm-project/router, production-stack) keeps the conversation on one replica.
 */

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

describe('session affinity over HTTP', () => {
  let server: MockVLLM
  beforeAll(async () => {
    server = await startMockVLLM({ policy: calculatorPolicy() })
  })
  afterAll(async () => {
    await server?.close()
  })

  const model = (extra: Partial<VLLMModelOptions> = {}): VLLMModel =>
    new VLLMModel({ baseUrl: server.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true, ...extra })

  const agent = (m: VLLMModel, state?: Record<string, string>): Agent =>
    new Agent({
      model: m,
      tools: [calculator],
      printer: false,
      conversationManager: new NullConversationManager(),
      retryStrategy: null,
      ...(state ? { modelState: state } : {}),
    })

  /** The chat requests of one agent, found by the question its first message asks. */
  const chatRequests = (question: string) =>
    server.requests.filter(
      (r) =>
        r.path.endsWith('/chat/completions') &&
        JSON.stringify((r.body as { messages: unknown[] }).messages[0]).includes(question)
    )

  it('two agents sharing one model: each request of an agent carries its own key (modelState, set by the recorder)', async () => {
    const shared = model()
    const a = agent(shared, { [SESSION_STATE_KEY]: 'rollout-a' })
    const b = agent(shared, { [SESSION_STATE_KEY]: 'rollout-b' })
    await Promise.all([a.invoke('What is 17 * 23? (a)'), b.invoke('What is 19 * 21? (b)')])
    const fromA = chatRequests('(a)')
    const fromB = chatRequests('(b)')
    expect(fromA.length).toBe(2)
    expect(fromB.length).toBe(2)
    for (const r of fromA) {
      expect(r.headers['x-session-id']).toBe('rollout-a')
      expect((r.body as Record<string, unknown>).session_id).toBe('rollout-a')
    }
    for (const r of fromB) {
      expect(r.headers['x-session-id']).toBe('rollout-b')
      expect((r.body as Record<string, unknown>).session_id).toBe('rollout-b')
    }
  })

  it('a configured function decides per call; a custom header (production-stack --session-key) is used', async () => {
    const seen: string[] = []
    const m = model({
      session: {
        header: 'x-user-id',
        body: false,
        id: ({ modelState }) => {
          const id = String(modelState?.get('conversation') ?? 'none')
          seen.push(id)
          return `conv-${id}`
        },
      },
    })
    await agent(m, { conversation: '42' }).invoke('What is 2 + 3? (c)')
    const requests = chatRequests('(c)')
    expect(requests.length).toBe(2)
    for (const r of requests) {
      expect(r.headers['x-user-id']).toBe('conv-42')
      expect(r.headers['x-session-id']).toBeUndefined()
      expect((r.body as Record<string, unknown>).session_id).toBeUndefined()
    }
    expect(seen).toEqual(['42', '42'])
  })

  it('a configured string wins over modelState; the key is recorded in tito.sessionId', async () => {
    const m = model({ session: { id: 'fixed-key' } })
    const recorded: (string | null)[] = []
    const a = agent(m, { [SESSION_STATE_KEY]: 'from-state' })
    a.addHook(ModelStreamUpdateEvent, ({ event }) => {
      if (event.type !== 'modelMessageStopEvent') return
      recorded.push(getVLLMResponseFields(event.additionalModelResponseFields)?.tito.sessionId ?? null)
    })
    await a.invoke('What is 6 + 7? (f)')
    for (const r of chatRequests('(f)')) expect(r.headers['x-session-id']).toBe('fixed-key')
    expect(recorded).toEqual(['fixed-key', 'fixed-key'])
  })

  it('without any key source nothing is sent; session: false never sends one', async () => {
    await agent(model()).invoke('What is 4 + 4? (d)')
    for (const r of chatRequests('(d)')) {
      expect(r.headers['x-session-id']).toBeUndefined()
      expect((r.body as Record<string, unknown>).session_id).toBeUndefined()
    }
    await agent(model({ session: false }), { [SESSION_STATE_KEY]: 'ignored' }).invoke('What is 5 + 5? (e)')
    for (const r of chatRequests('(e)')) expect(r.headers['x-session-id']).toBeUndefined()
  })
})
