import { VLLMModel } from '@strands-vllm/model'
import { VLLMTokenRecorder } from '@strands-vllm/tito'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGL_DEFAULT_MODEL_ID, aglModelConfig, createAglModel } from './agl-model.js'
import { AglConfigError } from './errors.js'
import { type AglStack, rolloutAgent, startAglStack, TEST_KEY } from './testing/agl-stack.js'

let stack: AglStack

beforeAll(async () => {
  stack = await startAglStack()
})
afterAll(async () => {
  await stack?.close()
})

describe('aglModelConfig', () => {
  it('sets what the gateway needs: non-streaming, the key, ids, train logprobs, pause retry, the rollout as session', () => {
    const { rollout_id } = stack.gateway.createRollout({ q: 1 })
    const env = stack.env(rollout_id)
    expect(aglModelConfig(env)).toEqual({
      baseUrl: env.openaiBaseUrl,
      apiKey: TEST_KEY,
      modelId: AGL_DEFAULT_MODEL_ID,
      stream: false,
      returnTokenIds: true,
      logprobs: true,
      pauseRetry: {},
      session: { id: rollout_id },
    })
    const val = stack.env(stack.gateway.createRollout({ q: 1 }, { is_train: false }).rollout_id)
    expect(aglModelConfig(val).logprobs).toBe(false)
    expect(aglModelConfig(env, { maxTokens: 64, logprobs: { top: 2 }, pauseRetry: { budgetMs: 5 } })).toMatchObject({
      maxTokens: 64,
      logprobs: { top: 2 },
      pauseRetry: { budgetMs: 5 },
      stream: false,
    })
  })

  it('refuses what cannot work behind the gateway, saying why', () => {
    const env = stack.env(stack.gateway.createRollout({}).rollout_id)
    const refused = (options: object, text: RegExp) => {
      let error: unknown
      try {
        createAglModel(env, options)
      } catch (e) {
        error = e
      }
      expect(AglConfigError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(text)
    }
    refused({ stream: true }, /answers every streaming request with 400 "Streaming responses are not supported"/)
    refused({ countTokens: 'server' }, /\/tokenize, which the gateway does not expose/)
    refused({ tokenIn: true }, /token-in behind the gateway needs a local tokenizer: \/tokenize is not reachable/)
    refused({ tokenIn: { reasoningParser: 'qwen3' } }, /loadQwen3Tokenizer\(\)/)
    refused({ baseUrl: 'http://elsewhere/v1' }, /come from the rollout/)
    // A local tokenizer (or a tokenize URL) is what makes token-in possible here.
    expect(() => aglModelConfig(env, { tokenIn: { tokenizeUrl: 'http://tok/tokenize' } } as object)).not.toThrow()
  })
})

describe('a model call through the gateway', () => {
  it('train: exact, non-streaming records; the ids the gateway captured are the recorder’s; one session key', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 12 * 34?' })
    const env = stack.env(rollout_id)
    const recorder = new VLLMTokenRecorder({ rolloutId: rollout_id })
    const agent = rolloutAgent(createAglModel(env, { maxTokens: 256 }), [recorder])
    const result = await agent.invoke('What is 12 * 34?')
    expect(result.toString()).toContain('408')

    const calls = recorder.history
    expect(calls).toHaveLength(2)
    for (const call of calls) {
      expect(call).toMatchObject({ status: 'exact', transport: 'json', mode: 'chat', sessionId: rollout_id })
      expect(call.logprobs).toHaveLength(call.tokenIds!.length)
    }
    const captured = stack.gateway.modelRequests(rollout_id)
    expect(captured.map((r) => r.response.prompt_token_ids)).toEqual(calls.map((c) => c.promptTokenIds))
    expect(captured.map((r) => (r.response.choices as Array<{ token_ids: number[] }>)[0]!.token_ids)).toEqual(
      calls.map((c) => c.tokenIds)
    )
    const received = stack.gateway.received.filter((r) => r.rolloutId === rollout_id)
    expect(received.map((r) => r.status)).toEqual([200, 200])
    for (const r of received) {
      expect(r.body).toMatchObject({ stream: false, session_id: rollout_id, logprobs: true })
      expect(r.headers['x-session-id']).toBe(rollout_id)
    }
    // The session key reaches vLLM in the body (the gateway drops the header).
    const upstream = stack.vllm[0]!.requests.filter(
      (q) => (q.body as { session_id?: string }).session_id === rollout_id
    )
    expect(upstream).toHaveLength(2)
    expect(upstream.every((q) => q.headers['x-session-id'] === undefined)).toBe(true)
  })

  it('val: no logprobs asked or recorded, the val temperature forced, still exact', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 7 * 6?' }, { is_train: false })
    const recorder = new VLLMTokenRecorder({ rolloutId: rollout_id })
    const agent = rolloutAgent(createAglModel(stack.env(rollout_id), { maxTokens: 256 }), [recorder])
    await agent.invoke('What is 7 * 6?')
    expect(recorder.history.map((c) => c.status)).toEqual(['exact', 'exact'])
    expect(recorder.history.every((c) => c.logprobs === undefined)).toBe(true)
    for (const r of stack.gateway.modelRequests(rollout_id)) {
      expect(r.request.logprobs).toBeUndefined()
      expect(r.request.temperature).toBe(0.7)
    }
  })

  it('is a plain VLLMModel: nothing about it is gateway-specific once built', () => {
    const model = createAglModel(stack.env(stack.gateway.createRollout({}).rollout_id))
    expect(model).toBeInstanceOf(VLLMModel)
    expect(JSON.stringify(model.getConfig())).not.toContain('"stream":true')
  })
})
