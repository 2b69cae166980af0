import type { MockVLLM } from '@strands-vllm/mock-server'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AglGateway } from './gateway.js'
import { startGatewayOverMock } from './test-support.js'

const KEY = 'k'
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }

let mock: MockVLLM
let gw: AglGateway
let close: () => Promise<void>

beforeAll(async () => {
  ;({ mock, gw, close } = await startGatewayOverMock(KEY))
})
afterAll(() => close())

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as unknown }
}
const get = async (path: string) => (await fetch(`${gw.url}${path}`, { headers })).json()

describe('POST …/events', () => {
  it('stores any event type and answers 200 with the stored event; data defaults to {}', async () => {
    const { rollout_id } = gw.createRollout({ q: 'reward' })
    const url = gw.rolloutEnv(rollout_id).AGL_EVENT_URL
    const reward = await post(url, { event_type: 'reward', data: { value: 1.0, source: 'agent', reason: 'correct' } })
    expect(reward).toEqual({
      status: 200,
      body: {
        event_type: 'reward',
        rollout_id,
        attempt_id: '0',
        timestamp: expect.any(Number),
        data: { value: 1, source: 'agent', reason: 'correct' },
      },
    })
    expect((await post(url, { event_type: 'tool_trace' })).body).toMatchObject({ event_type: 'tool_trace', data: {} })
    expect(gw.events(rollout_id).map((e) => e.event_type)).toEqual(['reward', 'tool_trace'])
  })

  it('422s like EventCreate: event_type required and a string, data an object; 404 for an unknown rollout', async () => {
    const { rollout_id } = gw.createRollout({ q: 'bad-event' })
    const url = gw.rolloutEnv(rollout_id).AGL_EVENT_URL
    expect(await post(url, { data: { value: 1 } })).toEqual({
      status: 422,
      body: {
        detail: [
          { type: 'missing', loc: ['body', 'event_type'], msg: 'Field required', input: { data: { value: 1 } } },
        ],
      },
    })
    expect((await post(url, { event_type: 7 })).body).toEqual({
      detail: [{ type: 'string_type', loc: ['body', 'event_type'], msg: 'Input should be a valid string', input: 7 }],
    })
    expect((await post(url, { event_type: 'reward', data: 1 })).body).toEqual({
      detail: [{ type: 'dict_type', loc: ['body', 'data'], msg: 'Input should be a valid dictionary', input: 1 }],
    })
    expect(await post(url, '{"event_type":')).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'json_invalid' }] },
    })
    expect(await post(url.replace(rollout_id, 'ghost'), { event_type: 'reward' })).toEqual({
      status: 404,
      body: { detail: 'Rollout not found: ghost' },
    })
    expect(gw.events(rollout_id)).toEqual([])
  })
})

describe('GET /api/rollouts/{id}/events', () => {
  it('reads the rollout’s last_attempt_id (else "0") and filters by event_type', async () => {
    const { rollout_id } = gw.createRollout({ q: 'attempts' })
    const env0 = gw.rolloutEnv(rollout_id)
    const env1 = gw.rolloutEnv(rollout_id, { attemptId: '1' })
    await post(env0.AGL_EVENT_URL, { event_type: 'a' })
    await post(env1.AGL_EVENT_URL, { event_type: 'b' })
    await post(env0.AGL_EVENT_URL, { event_type: 'c' })
    expect(
      ((await get(`/api/rollouts/${rollout_id}/events`)) as Array<{ event_type: string }>).map((e) => e.event_type)
    ).toEqual(['a', 'c'])
    expect(await get(`/api/rollouts/${rollout_id}/events?event_type=c`)).toMatchObject([{ event_type: 'c' }])
    gw.setRolloutState(rollout_id, 'running', { lastAttemptId: '1' })
    expect(await get(`/api/rollouts/${rollout_id}/events`)).toMatchObject([{ event_type: 'b', attempt_id: '1' }])
    expect(((await get(`/api/rollouts/${rollout_id}`)) as { attempts: string[] }).attempts).toEqual(['0', '1'])
    expect(await get('/api/rollouts/ghost/events')).toEqual({ detail: 'Rollout not found: ghost' })
  })

  it('format=triplet: ids and logprobs per call as the upstream sent them, deduplicated by prompt (last wins), rewards trimmed', async () => {
    const { rollout_id } = gw.createRollout({ q: 'triplets' })
    const env = gw.rolloutEnv(rollout_id)
    const openai = new OpenAI({ baseURL: env.AGL_OPENAI_BASE_URL, apiKey: env.AGL_KEY, maxRetries: 0 })
    const ask = (content: string) =>
      openai.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content }],
        max_tokens: 12,
        seed: content.length,
      })
    await ask('What is 1 + 1?')
    const first = mock.requests.at(-1)!
    await ask('What is 2 + 2?')
    await ask('What is 1 + 1?') // same prompt again: a retry, only this answer stays
    const retried = mock.requests.at(-1)!
    await post(env.AGL_EVENT_URL, {
      event_type: 'reward',
      data: { value: 0.5, source: 'judge', reason: 'ok', message: 'dropped' },
    })
    await post(env.AGL_EVENT_URL, { event_type: 'note', data: { text: 'kept as is' } })

    const events = (await get(`/api/rollouts/${rollout_id}/events?format=triplet`)) as Array<{
      event_type: string
      data: Record<string, unknown>
    }>
    expect(events.map((e) => e.event_type)).toEqual(['model_request', 'model_request', 'reward', 'note'])
    const second = mock.requests.at(-2)!
    expect(events[0]?.data).toEqual({
      prompt_token_ids: second.promptTokenIds,
      response_token_ids: second.tokenIds,
      response_log_probs: second.logprobs,
      server: { model: 'Qwen/Qwen3-8B', version: 0 },
      http_status: 200,
      status: 'ok',
    })
    expect(events[1]?.data).toMatchObject({
      prompt_token_ids: retried.promptTokenIds,
      response_token_ids: retried.tokenIds,
    })
    expect(retried.promptTokenIds).toEqual(first.promptTokenIds)
    expect(events[2]?.data).toEqual({ value: 0.5, source: 'judge', reason: 'ok' })
    expect(events[3]?.data).toEqual({ text: 'kept as is' })
    expect(gw.tripletEvents(rollout_id)).toEqual(events)
  })

  it('format=triplet: non-finite or malformed logprobs → null; completions shapes read per choice', async () => {
    const { rollout_id } = gw.createRollout({ q: 'logprobs' })
    const url = gw.rolloutEnv(rollout_id).AGL_EVENT_URL
    const chatResponse = (prompt: number[], logprob: unknown) => ({
      event_type: 'model_request',
      data: {
        response: {
          prompt_token_ids: prompt,
          choices: [
            {
              token_ids: [5, 6],
              logprobs: {
                content: [
                  { token: 'a', logprob: -0.5 },
                  { token: 'b', logprob },
                ],
              },
            },
          ],
        },
      },
    })
    await post(url, chatResponse([1], '-inf'))
    await post(url, chatResponse([2], null))
    await post(url, chatResponse([3], '-1.25'))
    await post(url, {
      event_type: 'model_request',
      data: {
        response: {
          choices: [
            { prompt_token_ids: [9, 8], token_ids: [7], logprobs: { token_logprobs: [-0.1] } },
            { token_ids: [1] },
          ],
        },
      },
    })
    const data = ((await get(`/api/rollouts/${rollout_id}/events?format=triplet`)) as Array<{ data: unknown }>).map(
      (e) => e.data
    )
    expect(data).toEqual([
      {
        prompt_token_ids: [1],
        response_token_ids: [5, 6],
        response_log_probs: null,
        server: { model: null, version: null },
      },
      {
        prompt_token_ids: [2],
        response_token_ids: [5, 6],
        response_log_probs: null,
        server: { model: null, version: null },
      },
      {
        prompt_token_ids: [3],
        response_token_ids: [5, 6],
        response_log_probs: [-0.5, -1.25],
        server: { model: null, version: null },
      },
      {
        prompt_token_ids: [9, 8],
        response_token_ids: [7],
        response_log_probs: [-0.1],
        server: { model: null, version: null },
      },
    ])
  })
})
