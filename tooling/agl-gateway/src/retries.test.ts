import { createServer } from 'node:net'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AglGateway, startAglGateway } from './gateway.js'
import { startFront } from './test-support.js'
import { isRetryableStatus, retryDelayMs } from './upstream.js'

const messages = [{ role: 'user' as const, content: 'What is 5 + 6?' }]
const FAST = { baseDelayMs: 1, maxDelayMs: 4, jitter: false }

let mock: MockVLLM
const closers: Array<() => Promise<void>> = []

beforeAll(async () => {
  mock = await startMockVLLM()
})
afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await mock.close()
})

async function gatewayFor(upstream: string, extra: Parameters<typeof startAglGateway>[0] = {}): Promise<AglGateway> {
  const gw = await startAglGateway({ upstreams: [upstream], retry: FAST, ...extra })
  closers.push(() => gw.close())
  return gw
}

async function chat(gw: AglGateway) {
  const { rollout_id } = gw.createRollout({ task: 'retry' })
  const res = await fetch(`${gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL}/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ messages, max_tokens: 8 }),
  })
  return { rolloutId: rollout_id, status: res.status, text: await res.text() }
}

describe('upstream retries', () => {
  it('408, 409 and 429 are retried; the answer that finally succeeds is kept with its retry count', async () => {
    const front = await startFront(
      mock.baseUrl,
      (n) => [{ status: 408 }, { status: 409 }, { status: 429 }][n] ?? 'forward'
    )
    closers.push(front.close)
    const gw = await gatewayFor(front.baseUrl)
    const { rolloutId, status } = await chat(gw)
    expect(status).toBe(200)
    expect(front.count()).toBe(4)
    expect(gw.modelRequests(rolloutId)).toMatchObject([{ http_status: 200, status: 'ok', retry_count: 3 }])
    expect(gw.received.at(-1)?.upstreamAttempts).toBe(4)
  })

  it('5xx is retried six times in all, then the last upstream answer is relayed as it came', async () => {
    const failing = await startMockVLLM({ faults: { type: 'status', status: 503, message: 'engine is sleeping' } })
    closers.push(() => failing.close())
    const gw = await gatewayFor(failing.baseUrl)
    const { rolloutId, status, text } = await chat(gw)
    expect(failing.requests).toHaveLength(6)
    expect(status).toBe(503)
    expect(JSON.parse(text)).toEqual(failing.requests.at(-1)?.response)
    expect(JSON.parse(text)).toMatchObject({ error: { message: 'engine is sleeping', code: 503 } })
    expect(gw.modelRequests(rolloutId)).toMatchObject([{ http_status: 503, status: 'error', retry_count: 5 }])
  })

  it('a 4xx other than 408/409/429 is not retried', async () => {
    const front = await startFront(mock.baseUrl, () => ({ status: 400, body: '{"error":{"message":"bad"}}' }))
    closers.push(front.close)
    const gw = await gatewayFor(front.baseUrl)
    const { status, text } = await chat(gw)
    expect([status, text, front.count()]).toEqual([400, '{"error":{"message":"bad"}}', 1])
  })

  it('a dead upstream (transport errors on all six attempts) → 502 {"detail":"Upstream model server request failed"}', async () => {
    const port = await freePort()
    const gw = await gatewayFor(`http://127.0.0.1:${port}/v1`)
    const { rolloutId, status, text } = await chat(gw)
    expect(status).toBe(502)
    expect(text).toBe('{"detail":"Upstream model server request failed"}')
    expect(gw.received.at(-1)?.upstreamAttempts).toBe(6)
    expect(gw.events(rolloutId)).toEqual([])
  })

  it('sockets cut mid-answer count as transport errors and are retried', async () => {
    const front = await startFront(mock.baseUrl, (n) => (n < 2 ? 'destroy' : 'forward'))
    closers.push(front.close)
    const gw = await gatewayFor(front.baseUrl)
    const { rolloutId, status } = await chat(gw)
    expect(status).toBe(200)
    expect(gw.modelRequests(rolloutId)[0]?.retry_count).toBe(2)
  })

  it('an upstream that never answers times out → 504 {"detail":"Upstream model server timed out"}', async () => {
    const front = await startFront(mock.baseUrl, () => 'hang')
    closers.push(front.close)
    const gw = await gatewayFor(front.baseUrl, { upstreamTimeoutMs: 50, retry: { ...FAST, maxAttempts: 2 } })
    const { status, text } = await chat(gw)
    expect([status, text, front.count()]).toEqual([504, '{"detail":"Upstream model server timed out"}', 2])
  })

  it('a non-JSON upstream answer is relayed as {} with its status', async () => {
    const front = await startFront(mock.baseUrl, () => ({ status: 200, body: 'hello', contentType: 'text/plain' }))
    closers.push(front.close)
    const gw = await gatewayFor(front.baseUrl)
    const { rolloutId, status, text } = await chat(gw)
    expect([status, text]).toEqual([200, '{}'])
    expect(gw.modelRequests(rolloutId)[0]?.response).toEqual({})
  })
})

describe('retry policy', () => {
  it('retries 408/409/429/5xx only', () => {
    expect([400, 401, 404, 408, 409, 422, 429, 500, 502, 503, 504].filter(isRetryableStatus)).toEqual([
      408, 409, 429, 500, 502, 503, 504,
    ])
  })

  it('defaults back off 0.5 s, 1, 2, 4, 8, 8 (capped), each ±25 % with jitter', () => {
    const real = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 8000, jitter: false }
    expect([0, 1, 2, 3, 4, 5].map((i) => retryDelayMs(i, real))).toEqual([500, 1000, 2000, 4000, 8000, 8000])
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(2, { ...real, jitter: true })
      expect(d).toBeGreaterThanOrEqual(1500)
      expect(d).toBeLessThanOrEqual(2500)
    }
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
