import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AglGateway, startAglGateway } from './gateway.js'
import { pinEndpoint, pinnedIndex } from './replica-pinning.js'

describe('replica pinning', () => {
  it('matches Python: int.from_bytes(sha256(rollout_id)[:8], "big") % n', () => {
    // Computed with CPython's hashlib for these ids.
    const expected: Record<string, [number, number, number]> = {
      'rollout-0': [1, 2, 0],
      'rollout-1': [1, 1, 2],
      'rollout-2': [0, 0, 2],
      'rollout-3': [1, 1, 1],
      abc: [0, 0, 4],
      'ro-7f3e': [0, 0, 1],
    }
    for (const [id, [two, three, five]] of Object.entries(expected)) {
      expect([pinnedIndex(id, 2), pinnedIndex(id, 3), pinnedIndex(id, 5)]).toEqual([two, three, five])
    }
  })

  it('indexes the endpoints sorted, whatever order they were registered in', () => {
    const a = { endpoint: 'http://b:8000/v1' }
    const b = { endpoint: 'http://a:8000/v1' }
    expect(pinEndpoint('rollout-2', [a, b])).toBe(b)
    expect(pinEndpoint('rollout-2', [b, a])).toBe(b)
    expect(pinEndpoint('rollout-1', [a, b])).toBe(a)
    expect(pinEndpoint('x', [])).toBeUndefined()
  })
})

describe('pinning through the gateway', () => {
  let replicas: MockVLLM[]
  let gw: AglGateway
  beforeAll(async () => {
    replicas = [await startMockVLLM(), await startMockVLLM()]
    gw = await startAglGateway({ upstreams: replicas.map((r) => r.baseUrl) })
  })
  afterAll(async () => {
    await gw.close()
    for (const r of replicas) await r.close()
  })

  it('every call of a rollout lands on its pinned replica; rollouts spread over both', async () => {
    const sorted = [...replicas].sort((x, y) => (x.baseUrl < y.baseUrl ? -1 : 1))
    const used = new Set<string>()
    for (let i = 0; i < 8; i++) {
      const { rollout_id } = gw.createRollout({ i }, { rollout_id: `rollout-${i}` })
      const url = `${gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`
      for (let turn = 0; turn < 3; turn++) {
        const res = await fetch(url, {
          method: 'POST',
          body: JSON.stringify({ messages: [{ role: 'user', content: `turn ${turn}` }], max_tokens: 2 }),
        })
        expect(res.status).toBe(200)
      }
      const endpoints = gw.modelRequests(rollout_id).map((d) => d.server.endpoint)
      const pinned = sorted[pinnedIndex(rollout_id, 2)]!.baseUrl
      expect(endpoints).toEqual([pinned, pinned, pinned])
      used.add(pinned)
    }
    expect(used.size).toBe(2)
  })

  it('32 concurrent rollouts: each keeps its replica, and every stored call holds its own rollout’s ids', async () => {
    const sorted = [...replicas].sort((x, y) => (x.baseUrl < y.baseUrl ? -1 : 1))
    const rollouts = Array.from({ length: 32 }, (_, i) => gw.createRollout({ i }).rollout_id)
    await Promise.all(
      rollouts.map(async (id, i) => {
        const url = `${gw.rolloutEnv(id).AGL_OPENAI_BASE_URL}/chat/completions`
        for (let turn = 0; turn < 2; turn++) {
          const res = await fetch(url, {
            method: 'POST',
            body: JSON.stringify({ messages: [{ role: 'user', content: `rollout ${i} turn ${turn}` }], max_tokens: 4 }),
          })
          expect(res.status).toBe(200)
        }
      })
    )
    const served = [...replicas[0]!.requests, ...replicas[1]!.requests]
    rollouts.forEach((id, i) => {
      const calls = gw.modelRequests(id)
      expect(calls).toHaveLength(2)
      calls.forEach((call, turn) => {
        const content = (call.request.messages as Array<{ content: string }>)[0]?.content
        expect(content).toBe(`rollout ${i} turn ${turn}`)
        const upstream = served.find(
          (r) => (r.body as { messages: Array<{ content: string }> }).messages[0]?.content === content
        )
        expect(call.response).toEqual(upstream?.response)
        expect(call.server.endpoint).toBe(sorted[pinnedIndex(id, 2)]!.baseUrl)
      })
      expect(gw.tripletEvents(id).map((e) => e.data.prompt_token_ids)).toEqual(
        calls.map((c) => (c.response as { prompt_token_ids: number[] }).prompt_token_ids)
      )
    })
  })
})
