import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AglStoreError } from './errors.js'
import { decodeRpcStatus } from './otlp-codec.js'
import { ATTEMPT_ID, ROLLOUT_ID, SPAN_SEQUENCE_ID } from './spans-from-otlp.js'
import { type AglStore, startAglStore } from './store.js'
import { EPOCH_MS, exportJson, exportProto, spanRecorder } from './test-spans.js'

let store: AglStore

beforeAll(async () => {
  store = await startAglStore()
})
afterAll(() => store.close())

const ids = (r: { rolloutId: string; attemptId: string }) => ({ [ROLLOUT_ID]: r.rolloutId, [ATTEMPT_ID]: r.attemptId })

describe('OTLP/HTTP receiver', () => {
  it('stores protobuf spans from the real OTLP proto exporter, decoded as v0.3 keeps them', async () => {
    const run = store.startRollout({ input: { q: 1 } })
    const rec = spanRecorder()
    const agent = rec.open('invoke_agent math', { start: 0, attributes: { ...ids(run), 'agent.name': 'math' } })
    rec.span('openai.chat.completion', {
      parent: agent,
      start: 10,
      end: 20.5,
      attributes: {
        ...ids(run),
        prompt_token_ids: [151644, 872, 198],
        response_token_ids: [19, 151645],
        'gen_ai.response.id': 'chatcmpl-1',
        temperature: 0.7,
        logprobs: [-0.25, -1.5],
        ok: true,
      },
      error: 'cut',
    })
    rec.close(agent, 30)
    expect(await exportProto(store.tracesUrl, rec.spans())).toEqual({ ok: true, error: undefined })

    const spans = store.querySpans(run.rolloutId)
    expect(spans.map((s) => [s.name, s.sequence_id])).toEqual([
      ['openai.chat.completion', 1],
      ['invoke_agent math', 2],
    ])
    const [call, parent] = spans
    expect(call).toMatchObject({
      rollout_id: run.rolloutId,
      attempt_id: run.attemptId,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      parent_id: parent!.span_id,
      status: { status_code: 'ERROR', description: 'cut' },
      start_time: (EPOCH_MS + 10) / 1000,
      end_time: (EPOCH_MS + 20.5) / 1000,
    })
    expect(call!.attributes).toMatchObject({
      prompt_token_ids: [151644, 872, 198],
      response_token_ids: [19, 151645],
      temperature: 0.7,
      logprobs: [-0.25, -1.5],
      ok: true,
    })
    expect(parent).toMatchObject({ parent_id: null, status: { status_code: 'UNSET', description: null } })
    expect(parent!.resource.attributes['service.name']).toBe('agl-store-test')
    expect(store.exports.at(-1)).toMatchObject({
      status: 200,
      contentType: 'application/x-protobuf',
      accepted: 2,
      dropped: 0,
    })
  })

  it('refuses the JSON exporter: 400 with a protobuf google.rpc.Status naming the content type', async () => {
    const run = store.startRollout()
    const rec = spanRecorder()
    rec.span('openai.chat.completion', { start: 0, end: 1, attributes: ids(run) })
    const outcome = await exportJson(store.tracesUrl, rec.spans())
    expect(outcome.ok).toBe(false)
    expect(store.exports.at(-1)).toMatchObject({
      status: 400,
      contentType: 'application/json',
      error: "Unsupported Content-Type 'application/json', expected 'application/x-protobuf'",
    })
    expect(store.querySpans(run.rolloutId)).toEqual([])

    const res = await fetch(store.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    expect(decodeRpcStatus(new Uint8Array(await res.arrayBuffer()))).toEqual({
      code: 0,
      message: "Unsupported Content-Type 'application/json', expected 'application/x-protobuf'",
    })
  })

  it('keeps a span only with both ids: span attribute first, then resource attribute; others dropped with a warning', async () => {
    const a = store.startRollout()
    const b = store.startRollout()
    const viaResource = spanRecorder(ids(a))
    viaResource.span('from-resource', { start: 0, end: 1 })
    viaResource.span('span-wins', { start: 1, end: 2, attributes: ids(b) })
    viaResource.span('half-override', { start: 2, end: 3, attributes: { [ATTEMPT_ID]: b.attemptId } })
    // Rollout from the resource, attempt from the span: (a, b's attempt) is an unknown attempt of a, so the request
    // fails with a 500 — after the groups before it were stored, as v0.3's add_many_spans does.
    expect((await exportProto(store.tracesUrl, viaResource.spans())).ok).toBe(false)
    expect(store.errors.at(-1)).toBe(`Attempt ${b.attemptId} not found for rollout ${a.rolloutId}`)
    expect(store.querySpans(a.rolloutId).map((s) => s.name)).toEqual(['from-resource'])
    expect(store.querySpans(b.rolloutId).map((s) => s.name)).toEqual(['span-wins'])

    const bare = spanRecorder()
    bare.span('no-ids', { start: 0, end: 1 })
    bare.span('only-rollout', { start: 0, end: 1, attributes: { [ROLLOUT_ID]: a.rolloutId } })
    const before = store.warnings.length
    expect((await exportProto(store.tracesUrl, bare.spans())).ok).toBe(true)
    expect(store.exports.at(-1)).toMatchObject({ status: 200, accepted: 0, dropped: 2 })
    expect(store.warnings.slice(before)).toEqual([
      expect.stringContaining('span "no-ids" dropped'),
      expect.stringContaining(`span "only-rollout" dropped`),
    ])
  })

  it('an unknown rollout or attempt is an HTTP 500 (the cause, `Rollout … not found`, goes to the log)', async () => {
    const rec = spanRecorder()
    rec.span('openai.chat.completion', {
      start: 0,
      end: 1,
      attributes: { [ROLLOUT_ID]: 'ro-ghost', [ATTEMPT_ID]: 'at-ghost' },
    })
    const outcome = await exportProto(store.tracesUrl, rec.spans())
    expect(outcome.ok).toBe(false)
    expect(store.exports.at(-1)).toMatchObject({ status: 500, error: 'Rollout ro-ghost not found' })
    expect(store.errors.at(-1)).toBe('Rollout ro-ghost not found')

    const body = await fetch(store.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(await protoBody()),
    })
    expect([body.status, await body.text()]).toEqual([500, 'Internal Server Error'])
  })

  it('reads gzip bodies, answers gzip when asked, accepts an empty body, 400s garbage, 501s metrics and logs', async () => {
    const run = store.startRollout()
    const rec = spanRecorder()
    rec.span('gz', { start: 0, end: 1, attributes: ids(run) })
    expect((await exportProto(store.tracesUrl, rec.spans(), { compression: 'gzip' })).ok).toBe(true)
    expect(store.querySpans(run.rolloutId).map((s) => s.name)).toEqual(['gz'])

    const empty = await fetch(store.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
      body: gzipSync(Buffer.alloc(0)),
    })
    expect(empty.status).toBe(200)
    expect(empty.headers.get('content-encoding')).toBe('gzip')
    expect((await empty.arrayBuffer()).byteLength).toBe(0) // fetch already gunzipped the empty response

    const garbage = await fetch(store.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff]),
    })
    expect(garbage.status).toBe(400)
    expect(decodeRpcStatus(new Uint8Array(await garbage.arrayBuffer())).message).toMatch(
      /^Unable to parse OTLP traces payload: /
    )
    expect((await fetch(`${store.url}/v1/metrics`, { method: 'POST' })).status).toBe(501)
    expect((await fetch(`${store.url}/v1/logs`, { method: 'POST' })).status).toBe(501)
    expect((await fetch(`${store.url}/v1/traces`)).status).toBe(405)
  })

  it('issues sequence ids per rollout, keeps agentlightning.span_sequence_id, and queries the latest attempt', async () => {
    const run = store.startRollout()
    const rec = spanRecorder()
    rec.span('first', { start: 0, end: 1, attributes: ids(run) })
    rec.span('pinned', { start: 1, end: 2, attributes: { ...ids(run), [SPAN_SEQUENCE_ID]: '10' } })
    await exportProto(store.tracesUrl, rec.spans())
    const later = spanRecorder()
    later.span('after', { start: 3, end: 4, attributes: ids(run) })
    await exportProto(store.tracesUrl, later.spans())
    expect(store.querySpans(run.rolloutId).map((s) => [s.name, s.sequence_id])).toEqual([
      ['first', 1],
      ['pinned', 10],
      ['after', 11],
    ])

    const retry = store.startAttempt(run.rolloutId)
    const second = spanRecorder()
    second.span('retry', { start: 5, end: 6, attributes: { [ROLLOUT_ID]: run.rolloutId, [ATTEMPT_ID]: retry } })
    await exportProto(store.tracesUrl, second.spans())
    expect(store.querySpans(run.rolloutId).map((s) => s.name)).toEqual(['retry'])
    expect(store.querySpans(run.rolloutId, run.attemptId)).toHaveLength(3)
    expect(() => store.startAttempt('ro-nope')).toThrow(AglStoreError)
  })
})

async function protoBody(): Promise<Uint8Array> {
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer')
  const rec = spanRecorder()
  rec.span('x', { start: 0, end: 1, attributes: { [ROLLOUT_ID]: 'ro-none', [ATTEMPT_ID]: 'at-none' } })
  return ProtobufTraceSerializer.serializeRequest(rec.spans()) ?? new Uint8Array()
}
