import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AglGatewayError } from './errors.js'
import { type AglGateway, startAglGateway } from './gateway.js'
import { type FrontServer, startFront } from './test-support.js'

const KEY = 'k'
const messages = [{ role: 'user' as const, content: 'What is 3 + 4?' }]
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }

let mock: MockVLLM
let slow: FrontServer
let gw: AglGateway

beforeAll(async () => {
  mock = await startMockVLLM()
  // The first request is held 400 ms, so a pause can arrive while it is in flight.
  slow = await startFront(mock.baseUrl, (n) => (n === 0 ? { delayMs: 400 } : 'forward'))
  gw = await startAglGateway({ key: KEY, upstreams: [slow.baseUrl] })
})
afterAll(async () => {
  await gw.close()
  await slow.close()
  await mock.close()
})

const management = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${gw.url}/proxy/${path}`, { ...init, headers: auth })
  return { status: res.status, body: (await res.json()) as unknown }
}
const chat = (rolloutId: string, body: unknown = { messages, max_tokens: 8 }) =>
  fetch(`${gw.rolloutEnv(rolloutId).AGL_OPENAI_BASE_URL}/chat/completions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  })

describe('pause / drain', () => {
  it('drains: an in-flight call finishes, new calls get 429 + Retry-After + X-Agl-Paused with the real body; resume restores', async () => {
    const { rollout_id } = gw.createRollout({ task: 'pause' })
    const inFlight = chat(rollout_id)
    await expect.poll(async () => (await management('state')).body).toMatchObject({ inflight: 1 })

    const paused = await management('pause', {
      method: 'POST',
      body: JSON.stringify({ retry_after_seconds: 7, reason: 'weight sync' }),
    })
    expect(paused).toEqual({
      status: 200,
      body: { paused: true, retry_after_seconds: 7, reason: 'weight sync', inflight: 1 },
    })

    const before = mock.requests.length
    const refused = await chat(rollout_id)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('7')
    expect(refused.headers.get('x-agl-paused')).toBe('true')
    expect(refused.headers.get('content-type')).toBe('application/json')
    expect(await refused.text()).toBe('{"error": "gateway paused", "reason": "weight sync"}')
    // The pause is checked before `stream`, so even a streaming request gets the 429.
    expect((await chat(rollout_id, { messages, stream: true })).status).toBe(429)

    expect((await inFlight).status).toBe(200)
    expect(mock.requests.length).toBe(before + 1)
    expect((await management('state')).body).toEqual({
      paused: true,
      retry_after_seconds: 7,
      reason: 'weight sync',
      inflight: 0,
    })
    // Refused calls are not model_request events.
    expect(gw.modelRequests(rollout_id)).toHaveLength(1)

    expect(await management('resume', { method: 'POST' })).toEqual({
      status: 200,
      body: { paused: false, retry_after_seconds: 7, reason: null, inflight: 0 },
    })
    expect((await chat(rollout_id)).status).toBe(200)
  })

  it('openai-node sees the pause as a RateLimitError "429 \\"gateway paused\\"" carrying Retry-After', async () => {
    const { rollout_id } = gw.createRollout({ task: 'pause-openai' })
    gw.pause({ retryAfterSeconds: 3, reason: 'weight sync' })
    try {
      const env = gw.rolloutEnv(rollout_id)
      const openai = new OpenAI({ baseURL: env.AGL_OPENAI_BASE_URL, apiKey: env.AGL_KEY, maxRetries: 0 })
      const error = await openai.chat.completions.create({ model: 'm', messages }).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(OpenAI.RateLimitError)
      expect((error as APIError).message).toBe('429 "gateway paused"')
      expect((error as APIError).error).toBe('gateway paused')
      expect((error as APIError).headers?.get('retry-after')).toBe('3')
      expect((error as APIError).headers?.get('x-agl-paused')).toBe('true')
    } finally {
      gw.resume()
    }
  })

  it('a pause without a reason sends "reason": null and the default Retry-After of 5', async () => {
    const { rollout_id } = gw.createRollout({ task: 'pause-default' })
    expect(await management('pause', { method: 'POST', body: '{}' })).toMatchObject({
      body: { paused: true, retry_after_seconds: 5, reason: null },
    })
    const res = await chat(rollout_id)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(await res.text()).toBe('{"error": "gateway paused", "reason": null}')
    gw.resume()
  })

  it('while paused, a body that is not JSON is still a 400 and one that is not an object still a 500: both come before the pause check', async () => {
    const { rollout_id } = gw.createRollout({ task: 'pause-order' })
    gw.pause({ retryAfterSeconds: 2 })
    try {
      const url = `${gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`
      const send = async (body: string) => {
        const res = await fetch(url, { method: 'POST', headers: auth, body })
        return [res.status, await res.text()]
      }
      expect(await send('{x')).toEqual([400, '{"detail":"Invalid JSON in request body"}'])
      expect(await send('[1]')).toEqual([500, 'Internal Server Error'])
      expect(await send('{}')).toEqual([429, '{"error": "gateway paused", "reason": null}'])
    } finally {
      gw.resume()
    }
  })

  it('POST /proxy/pause validates its body like the real route (integer seconds, a body required)', async () => {
    const fractional = await management('pause', { method: 'POST', body: JSON.stringify({ retry_after_seconds: 2.5 }) })
    expect(fractional).toEqual({
      status: 422,
      body: {
        detail: [
          {
            type: 'int_from_float',
            loc: ['body', 'retry_after_seconds'],
            msg: 'Input should be a valid integer, got a number with a fractional part',
            input: 2.5,
          },
        ],
      },
    })
    expect(await management('pause', { method: 'POST' })).toEqual({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
    })
    expect(gw.pauseState().paused).toBe(false)
    expect(() => gw.pause({ retryAfterSeconds: 2.5 })).toThrow(AglGatewayError)
  })
})
