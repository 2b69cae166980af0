import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { type AglStore, rewardsFromSpan, startAglStore } from '@strands-vllm/agl-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitAglReward } from '../emit-reward.js'
import { AglConfigError, AglExportError } from '../errors.js'
import { withAglRollout } from '../rollout-scope.js'
import { ReportingExporter } from './reporting-exporter.js'
import { type AglTracing, describeExportFailures, setupAglTracing } from './setup-agl-tracing.js'

let store: AglStore
let tracing: AglTracing
const unstamped: string[] = []

beforeAll(async () => {
  store = await startAglStore()
  tracing = setupAglTracing({ storeUrl: `${store.url}/`, spans: { onUnstamped: (n) => unstamped.push(n) } })
})
afterAll(async () => {
  await tracing?.shutdown()
  await store?.close()
})

async function rejection(promise: Promise<unknown>): Promise<AglExportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(AglExportError.isInstance(error)).toBe(true)
  return error as AglExportError
}

describe('setupAglTracing', () => {
  it('exports protobuf to the store’s /v1/traces, stamped spans are stored, a flush resolves', async () => {
    expect(tracing.tracesUrl).toBe(`${store.url}/v1/traces`)
    const ids = store.startRollout()
    withAglRollout(ids, () => trace.getTracer('t').startSpan('step').end())
    await tracing.flush()
    expect(store.exports.at(-1)).toMatchObject({ status: 200, contentType: 'application/x-protobuf', accepted: 1 })
    expect(store.querySpans(ids.rolloutId).map((s) => s.name)).toEqual(['step'])
  })

  it('rewards: named dimensions, the first primary, never a bare agentlightning.reward; none outside a rollout', async () => {
    const ids = store.startRollout()
    withAglRollout(ids, () => emitAglReward({ accuracy: 0.5, format: 1 }))
    await tracing.flush()
    const [span] = store.querySpans(ids.rolloutId)
    expect(span?.name).toBe('agentlightning.annotation')
    expect(rewardsFromSpan(span!)).toEqual([
      { name: 'accuracy', value: 0.5 },
      { name: 'format', value: 1 },
    ])
    expect(span?.attributes['agentlightning.reward']).toBeUndefined()
    expect(() => emitAglReward(1)).toThrow(AglConfigError)
    expect(() => emitAglReward(1)).toThrow(/no rollout here: call it inside withAglRollout/)
    expect(() => withAglRollout(ids, () => emitAglReward(Number.NaN))).toThrow(/must be a finite number/)
  })

  it('the reward span starts after the rollout’s last span ended, even one ending a few ms ahead of the clock, so the adapter gives it to that call', async () => {
    const ids = store.startRollout()
    const nowMs = Date.now()
    const ahead: [number, number] = [Math.floor(nowMs / 1000), (nowMs % 1000) * 1e6 + 5e6]
    if (ahead[1] >= 1e9) {
      ahead[0] += 1
      ahead[1] -= 1e9
    }
    withAglRollout(ids, () => {
      trace
        .getTracer('t')
        .startSpan('openai.chat.completion', { startTime: nowMs - 10 })
        .end(ahead)
      emitAglReward(1)
    })
    await tracing.flush()
    const spans = store.querySpans(ids.rolloutId)
    const call = spans.find((s) => s.name === 'openai.chat.completion')!
    const reward = spans.find((s) => s.name === 'agentlightning.annotation')!
    expect(reward.start_time!).toBeGreaterThan(call.end_time!)
    expect(reward.end_time).toBe(reward.start_time)
  })

  it('counts spans that end without rollout ids (the store drops them) and says so once', async () => {
    const before = store.warnings.length
    trace.getTracer('t').startSpan('outside-any-rollout').end()
    await tracing.flush()
    expect(unstamped).toEqual(['outside-any-rollout'])
    expect(tracing.spans.unstampedSpans).toBe(1)
    expect(store.warnings.slice(before).join('\n')).toMatch(/agentlightning\.rollout_id/)
  })

  it('unknown rollout ids: flush rejects with the store’s 500 and what to check; the next flush starts clean', async () => {
    const error = await rejection(
      (async () => {
        withAglRollout({ rolloutId: 'ro-unknown', attemptId: 'at-unknown' }, () =>
          trace.getTracer('t').startSpan('lost').end()
        )
        await tracing.flush()
      })()
    )
    expect(error.failures).toEqual([{ status: 500, reason: expect.any(String), spans: 1 }])
    expect(error.message).toMatch(
      /^the Agent Lightning store at http:\/\/127\.0\.0\.1:\d+\/v1\/traces refused 1 span\(s\) in 1 export\(s\) \(HTTP 500/
    )
    expect(error.message).toContain('does not know their rollout or attempt')
    expect(store.errors.at(-1)).toBe('Rollout ro-unknown not found')
    await expect(tracing.flush()).resolves.toBeUndefined()
  })

  it('a store that is not there: no answer, and the hint says to check it runs', async () => {
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const port = (dead.address() as AddressInfo).port
    await new Promise<void>((resolve) => dead.close(() => resolve()))
    const local = setupAglTracing({ storeUrl: `http://127.0.0.1:${port}`, register: false, exportTimeoutMs: 1500 })
    try {
      withAglRollout({ rolloutId: 'r', attemptId: 'a' }, () => local.provider.getTracer('t').startSpan('x').end())
      const error = await rejection(local.flush())
      expect(error.message).toContain('(no answer')
      expect(error.message).toContain('is the store running, and reachable from this process?')
    } finally {
      await local.shutdown().catch(() => undefined)
    }
  })

  it('exports one at a time: a flush while a timer export is still in flight reaches the store after it, so a rollout’s spans keep their order', async () => {
    // The store numbers spans in arrival order and v0.3's adapter lists LLM calls in that order. A proxy holds the
    // first export 400 ms; before, the flush's export overtook it and the two calls came out swapped.
    let seen = 0
    const front = createServer((req, res) => {
      const hold = seen++ === 0 ? 400 : 0
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        setTimeout(() => {
          const up = request(`${store.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          })
          up.on('error', () => res.destroy())
          up.end(Buffer.concat(chunks))
        }, hold)
      })
    })
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
    const local = setupAglTracing({
      storeUrl: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
      register: false,
      scheduledDelayMs: 10,
    })
    try {
      const ids = store.startRollout()
      const tracer = local.provider.getTracer('t')
      withAglRollout(ids, () => tracer.startSpan('call-0').end())
      await new Promise((resolve) => setTimeout(resolve, 100)) // the timer's export of call-0 is now being held
      withAglRollout(ids, () => tracer.startSpan('call-1').end())
      await local.flush()
      expect(seen).toBe(2)
      expect(store.querySpans(ids.rolloutId).map((s) => s.name)).toEqual(['call-0', 'call-1'])
    } finally {
      await local.shutdown().catch(() => undefined)
      await new Promise<void>((resolve) => front.close(() => resolve()))
    }
  })

  it('names the JSON exporter when the store answers 400 Unsupported Content-Type (real answer, real exporter)', async () => {
    const failures: Parameters<typeof describeExportFailures>[1][number][] = []
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(
          new ReportingExporter(new JsonTraceExporter({ url: store.tracesUrl }), (f) => failures.push(f))
        ),
      ],
    })
    provider.getTracer('t').startSpan('json').end()
    await provider.forceFlush()
    await provider.shutdown()
    expect(failures).toEqual([
      {
        status: 400,
        reason: "Unsupported Content-Type 'application/json', expected 'application/x-protobuf'",
        spans: 1,
      },
    ])
    expect(describeExportFailures(store.tracesUrl, failures)).toContain(
      "the store takes OTLP protobuf only: export with @opentelemetry/exporter-trace-otlp-proto (setupAglTracing does), not exporter-trace-otlp-http's JSON"
    )
  })
})
