import type { MockVLLM } from '@strands-vllm/mock-server'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AglGateway, startAglGateway } from './gateway.js'
import { startGatewayOverMock } from './test-support.js'

const KEY = 'sk-gateway-test'
const messages = [{ role: 'user' as const, content: 'What is 2 + 2?' }]

let mock: MockVLLM
let gw: AglGateway
let close: () => Promise<void>

beforeAll(async () => {
  ;({ mock, gw, close } = await startGatewayOverMock(KEY))
})
afterAll(() => close())

function client(rolloutId: string, mode: 'train' | 'val' = 'train', headers: Record<string, string> = {}): OpenAI {
  const env = gw.rolloutEnv(rolloutId, { mode })
  return new OpenAI({ baseURL: env.AGL_OPENAI_BASE_URL, apiKey: env.AGL_KEY, maxRetries: 0, defaultHeaders: headers })
}

const lastUpstream = () => mock.requests.at(-1)!

describe('proxy: chat completions', () => {
  it('train mode: rewrites model/temperature, adds return_token_ids and logprobs, passes other fields, returns the upstream JSON unchanged', async () => {
    const { rollout_id } = gw.createRollout({ q: 1 })
    const before = mock.requests.length
    const body = {
      model: 'whatever-the-agent-says',
      messages,
      temperature: 0.1,
      max_tokens: 24,
      session_id: 'conv-1',
      chat_template_kwargs: { enable_thinking: false },
    }
    const completion = await client(rollout_id, 'train', {
      'X-Session-ID': 'conv-1',
      'x-mock-fault': 'status:500',
    }).chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)
    expect(mock.requests.length).toBe(before + 1)
    const up = lastUpstream()
    expect(up.path).toBe('/v1/chat/completions')
    expect(up.body).toEqual({
      ...body,
      model: 'Qwen/Qwen3-8B',
      temperature: 1,
      return_token_ids: true,
      logprobs: true,
    })
    // Only content-type (plus transport headers) reaches the upstream: the key, the session header and the fault
    // header are dropped.
    expect(up.headers['content-type']).toBe('application/json')
    expect(up.headers.authorization).toBeUndefined()
    expect(up.headers['x-session-id']).toBeUndefined()
    expect(up.headers['x-mock-fault']).toBeUndefined()
    expect(up.status).toBe(200)
    expect(completion).toEqual(up.response)
    expect((completion as unknown as { prompt_token_ids: number[] }).prompt_token_ids).toEqual(up.promptTokenIds)
    expect(completion.choices[0]?.logprobs?.content?.length).toBe(up.tokenIds?.length)

    const [event] = gw.events(rollout_id)
    expect(event).toMatchObject({ event_type: 'model_request', rollout_id, attempt_id: '0' })
    const [data] = gw.modelRequests(rollout_id)
    expect(data).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      model_version: 0,
      request: up.body,
      response: up.response,
      server: { model: 'Qwen/Qwen3-8B', endpoint: mock.baseUrl, version: 0 },
      http_status: 200,
      status: 'ok',
      retry_count: 0,
      finish_reason: 'stop',
    })
    // The real `_capture_event` records exactly these keys, in this order.
    expect(Object.keys(data!)).toEqual([
      'model',
      'model_version',
      'request',
      'response',
      'server',
      'latency_ms',
      'http_status',
      'status',
      'retry_count',
      'usage',
      'finish_reason',
    ])
    expect(data?.usage).toEqual((up.response as { usage: unknown }).usage)
    expect(data?.latency_ms).toBeGreaterThan(0)
    // The stand-in keeps what the client sent (keys redacted) for tests.
    const seen = gw.received.at(-1)!
    expect(seen.headers['x-session-id']).toBe('conv-1')
    expect(seen.headers.authorization).toBe('[redacted]')
    expect(seen).toMatchObject({
      rolloutId: rollout_id,
      attemptId: '0',
      mode: 'train',
      status: 200,
      upstreamAttempts: 1,
    })
  })

  it('val mode: temperature 0.7 and no logprobs added', async () => {
    const { rollout_id } = gw.createRollout({ q: 2 }, { is_train: false })
    await client(rollout_id, 'val').chat.completions.create({ model: 'm', messages, max_tokens: 8 })
    const up = lastUpstream()
    expect(up.body).toMatchObject({ model: 'Qwen/Qwen3-8B', temperature: 0.7, return_token_ids: true })
    expect(up.body).not.toHaveProperty('logprobs')
  })

  it('completions: val mode through the openai client; train mode forwards logprobs: true as the real gateway does', async () => {
    const { rollout_id } = gw.createRollout({ q: 3 })
    const prompt = mock.tokenizer.encode('The capital of France is')
    const val = await client(rollout_id, 'val').completions.create({ model: 'm', prompt, max_tokens: 6 })
    expect(lastUpstream().path).toBe('/v1/completions')
    expect(lastUpstream().body).toEqual({
      model: 'Qwen/Qwen3-8B',
      prompt,
      max_tokens: 6,
      temperature: 0.7,
      return_token_ids: true,
    })
    expect(val).toEqual(lastUpstream().response)

    // Real vLLM coerces `logprobs: true` to 1 on /completions (the mock refuses it today with a 400); whatever the
    // upstream answers, the gateway relays it unchanged.
    const url = `${gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/completions`
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt, max_tokens: 6 }),
    })
    const up = lastUpstream()
    expect(up.body).toMatchObject({ logprobs: true, temperature: 1, return_token_ids: true })
    expect(res.status).toBe(up.status)
    expect(await res.json()).toEqual(up.response)
  })

  it('stream: true → 400 {"detail":"Streaming responses are not supported"}, which openai-node reports as "400 status code (no body)"', async () => {
    const { rollout_id } = gw.createRollout({ q: 4 })
    const before = mock.requests.length
    const error = await client(rollout_id)
      .chat.completions.create({ model: 'm', messages, stream: true })
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(400)
    expect((error as APIError).message).toBe('400 status code (no body)')
    const raw = await fetch(`${gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ messages, stream: true }),
    })
    expect(raw.status).toBe(400)
    expect(raw.headers.get('content-type')).toBe('application/json')
    expect(await raw.text()).toBe('{"detail":"Streaming responses are not supported"}')
    expect(mock.requests.length).toBe(before)
    expect(gw.events(rollout_id)).toEqual([])
  })

  it('GET …/models is 405; other upstream paths, modes and unknown rollouts are 404 with the real details', async () => {
    const { rollout_id } = gw.createRollout({ q: 5 })
    const models = await client(rollout_id)
      .models.list()
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect((models as APIError).status).toBe(405)
    expect((models as APIError).message).toBe('405 status code (no body)')

    const base = gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL
    const post = async (url: string, body: string = JSON.stringify({ messages })) => {
      const res = await fetch(url, { method: 'POST', headers: { 'x-api-key': KEY }, body })
      return { status: res.status, text: await res.text(), allow: res.headers.get('allow') }
    }
    const get = await fetch(`${base}/models`, { headers: { 'x-api-key': KEY } })
    expect([get.status, await get.text(), get.headers.get('allow')]).toEqual([
      405,
      '{"detail":"Method Not Allowed"}',
      'POST',
    ])
    expect(await post(`${base}/models`)).toMatchObject({
      status: 404,
      text: '{"detail":"Unsupported upstream path: models"}',
    })
    expect(await post(`${base}/embeddings`)).toMatchObject({
      status: 404,
      text: '{"detail":"Unsupported upstream path: embeddings"}',
    })
    expect(await post(base.replace('/mode/train/', '/mode/test/') + '/chat/completions')).toMatchObject({
      status: 404,
      text: '{"detail":"Unsupported proxy mode: test"}',
    })
    expect(await post(base.replace(rollout_id, 'no-such-rollout') + '/chat/completions')).toMatchObject({
      status: 404,
      text: '{"detail":"Rollout not found: no-such-rollout"}',
    })
    expect(await post(`${base}/chat/completions`, '{not json')).toMatchObject({
      status: 400,
      text: '{"detail":"Invalid JSON in request body"}',
    })
    // JSON that is not an object fails inside the real route's `{**body, …}` rewrite: a plain 500, also `null`;
    // nothing reaches the upstream and no event is stored.
    const before = mock.requests.length
    for (const body of ['[1, 2]', 'null', '"text"', '5']) {
      const res = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'x-api-key': KEY }, body })
      expect([res.status, res.headers.get('content-type'), await res.text()], body).toEqual([
        500,
        'text/plain; charset=utf-8',
        'Internal Server Error',
      ])
    }
    expect(mock.requests.length).toBe(before)
    expect(gw.events(rollout_id)).toEqual([])
    expect(await post(`${gw.url}/proxy/nothing`)).toMatchObject({ status: 404, text: '{"detail":"Not Found"}' })
  })

  it('no upstream registered → 503 No servers available', async () => {
    const empty = await startAglGateway()
    try {
      const { rollout_id } = empty.createRollout(null)
      const res = await fetch(`${empty.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ messages }),
      })
      expect(res.status).toBe(503)
      expect(await res.text()).toBe(`{"detail":"No servers available for model 'Qwen/Qwen3-8B'"}`)
      // The replica is chosen before the body is spread: a non-object body is a 503 here too, not a 500.
      const array = await fetch(`${empty.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`, {
        method: 'POST',
        body: '[1]',
      })
      expect(array.status).toBe(503)
    } finally {
      await empty.close()
    }
  })

  it('an upstream error with an `error` body passes through unchanged and is recorded as status "error"', async () => {
    const { rollout_id } = gw.createRollout({ q: 6 })
    const error = await client(rollout_id)
      .chat.completions.create({ model: 'm', messages, max_tokens: 100_000 })
      .then(
        () => undefined,
        (e: unknown) => e
      )
    const up = lastUpstream()
    expect(up.status).toBe(400)
    expect((error as APIError).status).toBe(400)
    expect((error as APIError).error).toEqual((up.response as { error: unknown }).error)
    expect(gw.modelRequests(rollout_id)[0]).toMatchObject({ http_status: 400, status: 'error', retry_count: 0 })
  })
})
