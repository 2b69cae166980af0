import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AglGateway, startAglGateway } from './gateway.js'

const KEY = 'sk-agl-secret-123'
const messages = [{ role: 'user' as const, content: 'hi' }]

let mock: MockVLLM
let gw: AglGateway
let rolloutId: string
let base: string

beforeAll(async () => {
  mock = await startMockVLLM()
  gw = await startAglGateway({ key: KEY, upstreams: [mock.baseUrl] })
  rolloutId = gw.createRollout({ task: 'auth' }).rollout_id
  base = gw.rolloutEnv(rolloutId).AGL_OPENAI_BASE_URL
})
afterAll(async () => {
  await gw.close()
  await mock.close()
})

const call = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init)
  return { status: res.status, text: await res.text() }
}
const UNAUTHORIZED = { status: 401, text: '{"detail":"Invalid or missing API key"}' }

describe('auth', () => {
  it('every route but /healthz needs the key: 401 {"detail":"Invalid or missing API key"}', async () => {
    const chat = { method: 'POST', body: JSON.stringify({ messages }) }
    expect(await call(`${base}/chat/completions`, chat)).toEqual(UNAUTHORIZED)
    expect(await call(`${base}/chat/completions`, { ...chat, headers: { authorization: 'Bearer wrong' } })).toEqual(
      UNAUTHORIZED
    )
    expect(await call(`${base}/chat/completions`, { ...chat, headers: { authorization: KEY } })).toEqual(UNAUTHORIZED)
    expect(await call(`${base}/chat/completions`, { ...chat, headers: { 'x-api-key': 'nope' } })).toEqual(UNAUTHORIZED)
    expect(await call(`${gw.url}/api/rollouts/${rolloutId}`)).toEqual(UNAUTHORIZED)
    expect(await call(`${gw.url}/api/rollouts/${rolloutId}/events`)).toEqual(UNAUTHORIZED)
    expect(await call(`${gw.url}/proxy/state`)).toEqual(UNAUTHORIZED)
    expect(await call(`${gw.url}/proxy/resume`, { method: 'POST' })).toEqual(UNAUTHORIZED)
    expect(
      await call(gw.rolloutEnv(rolloutId).AGL_EVENT_URL, {
        method: 'POST',
        body: JSON.stringify({ event_type: 'reward' }),
      })
    ).toEqual(UNAUTHORIZED)
    // The key check runs before the route's own 404s.
    expect(await call(`${base.replace(rolloutId, 'ghost')}/chat/completions`, chat)).toEqual(UNAUTHORIZED)
    expect(await call(`${gw.url}/healthz`)).toEqual({ status: 200, text: '{"status":"ok"}' })
    expect(gw.events(rolloutId)).toEqual([])
  })

  it('accepts Authorization: Bearer KEY and x-api-key: KEY', async () => {
    const chat = { method: 'POST', body: JSON.stringify({ messages, max_tokens: 4 }) }
    expect(
      (await call(`${base}/chat/completions`, { ...chat, headers: { authorization: `Bearer ${KEY}` } })).status
    ).toBe(200)
    expect((await call(`${base}/chat/completions`, { ...chat, headers: { 'x-api-key': KEY } })).status).toBe(200)
    expect((await call(`${gw.url}/api/rollouts/${rolloutId}`, { headers: { 'x-api-key': KEY } })).status).toBe(200)
  })

  it('openai-node with a wrong key gets a 401 it reports as "401 status code (no body)"', async () => {
    const bad = new OpenAI({ baseURL: base, apiKey: 'sk-wrong', maxRetries: 0 })
    const error = await bad.chat.completions.create({ model: 'm', messages }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((error as APIError).message).toBe('401 status code (no body)')
    const good = new OpenAI({ baseURL: base, apiKey: KEY, maxRetries: 0 })
    const ok = await good.chat.completions.create({ model: 'm', messages, max_tokens: 4 })
    expect(ok.choices).toHaveLength(1)
  })

  it('never stores the key: the proxy log redacts authorization and x-api-key', async () => {
    const text = JSON.stringify(gw.received)
    expect(text).not.toContain(KEY)
    expect(gw.received.some((r) => r.headers.authorization === '[redacted]')).toBe(true)
    expect(gw.received.some((r) => r.headers['x-api-key'] === '[redacted]')).toBe(true)
    expect(JSON.stringify(mock.requests.map((r) => r.headers))).not.toContain(KEY)
  })

  it('without a key, auth is off', async () => {
    const open = await startAglGateway({ upstreams: [mock.baseUrl] })
    try {
      const { rollout_id } = open.createRollout(null)
      const env = open.rolloutEnv(rollout_id)
      expect(env.AGL_KEY).toBe('')
      expect(
        (
          await call(`${env.AGL_OPENAI_BASE_URL}/chat/completions`, {
            method: 'POST',
            body: JSON.stringify({ messages, max_tokens: 2 }),
          })
        ).status
      ).toBe(200)
      expect((await call(`${open.url}/api/rollouts/${rollout_id}`)).status).toBe(200)
    } finally {
      await open.close()
    }
  })
})
