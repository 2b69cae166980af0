import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AglGatewayError } from './errors.js'
import { type AglGateway, startAglGateway } from './gateway.js'

const KEY = 'k'
let gw: AglGateway

beforeAll(async () => {
  gw = await startAglGateway({ key: KEY })
})
afterAll(() => gw.close())

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined }
}

describe('rollouts API', () => {
  it('POST /api/rollouts: 201, list in, list out, with the defaults the real schema fills in', async () => {
    const res = await api('POST', '/api/rollouts', [
      { input: { question: '2+2' } },
      { input: null, is_train: false, metadata: { batch_idx: 3, tag: 'x' } },
    ])
    expect(res.status).toBe(201)
    const [a, b] = res.body as Array<Record<string, unknown>>
    expect(a).toEqual({
      rollout_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      input: { question: '2+2' },
      is_train: true,
      config: { timeout_seconds: 3600, local: null, k8s: null },
      metadata: { batch_idx: null, sample_idx_in_batch: null },
      status: {
        state: 'queuing',
        k8s_job_name: null,
        last_attempt_id: null,
        error_message: null,
        version: 1,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      },
    })
    expect(b).toMatchObject({
      input: null,
      is_train: false,
      metadata: { batch_idx: 3, sample_idx_in_batch: null, tag: 'x' },
    })
  })

  it('is idempotent with a caller-supplied id: the existing rollout comes back unchanged', async () => {
    const first = await api('POST', '/api/rollouts', [{ rollout_id: 'r-idem', input: { v: 1 } }])
    const again = await api('POST', '/api/rollouts', [{ rollout_id: 'r-idem', input: { v: 2 }, is_train: false }])
    expect(again).toEqual({ status: 201, body: first.body })
  })

  it('refuses bodies the real models refuse, with FastAPI 422 details', async () => {
    expect(await api('POST', '/api/rollouts', [{ is_train: true }])).toEqual({
      status: 422,
      body: {
        detail: [{ type: 'missing', loc: ['body', 0, 'input'], msg: 'Field required', input: { is_train: true } }],
      },
    })
    expect(await api('POST', '/api/rollouts', { input: 1 })).toEqual({
      status: 422,
      body: {
        detail: [{ type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input: { input: 1 } }],
      },
    })
    expect((await api('POST', '/api/rollouts', '[{"input": ')).body).toMatchObject({
      detail: [{ type: 'json_invalid', msg: 'JSON decode error' }],
    })
  })

  it('metadata whose indexes are not integers is a plain 500 (the real route fails building it), after the earlier items were created', async () => {
    // `RolloutCreate.metadata` is `RolloutMetadata | dict`: a bad `batch_idx` passes validation as a dict, then
    // `RolloutMetadata(**metadata)` raises inside the route's loop.
    const res = await fetch(`${gw.url}/api/rollouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { rollout_id: 'meta-ok', input: {} },
        { rollout_id: 'meta-bad', input: {}, metadata: { sample_idx_in_batch: 1.5 } },
        { rollout_id: 'meta-after', input: {} },
      ]),
    })
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([
      500,
      'text/plain; charset=utf-8',
      'Internal Server Error',
    ])
    expect(gw.getRollout('meta-ok')).toBeDefined()
    expect(gw.getRollout('meta-bad')).toBeUndefined()
    expect(gw.getRollout('meta-after')).toBeUndefined()
    // An existing id comes back before its metadata is looked at; string digits coerce as pydantic's lax int does.
    expect(
      (await api('POST', '/api/rollouts', [{ rollout_id: 'meta-ok', input: {}, metadata: { batch_idx: 'a' } }])).status
    ).toBe(201)
    expect(
      (await api('POST', '/api/rollouts', [{ input: {}, metadata: { batch_idx: '3', k: [1] } }])).body
    ).toMatchObject([{ metadata: { batch_idx: 3, sample_idx_in_batch: null, k: [1] } }])
    expect(() => gw.createRollout({}, { metadata: { batch_idx: 'x' } })).toThrow(AglGatewayError)
  })

  it('GET /api/rollouts/{id} → {rollout, attempts}; unknown → 404', async () => {
    const rollout = gw.createRollout({ q: 'get' })
    expect(await api('GET', `/api/rollouts/${rollout.rollout_id}`)).toEqual({
      status: 200,
      body: { rollout, attempts: [] },
    })
    expect(await api('GET', '/api/rollouts/missing')).toEqual({
      status: 404,
      body: { detail: 'Rollout not found: missing' },
    })
  })

  it('PATCH walks the state machine: queuing→running→succeeded; anything else is 409', async () => {
    const { rollout_id: id } = gw.createRollout({ q: 'patch' })
    const running = await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'running', last_attempt_id: '0' } })
    expect(running.status).toBe(200)
    expect(running.body).toMatchObject({ status: { state: 'running', last_attempt_id: '0', version: 2 } })
    expect(await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'queuing' } })).toEqual({
      status: 409,
      body: { detail: `Rollout ${id}: cannot transition running -> queuing` },
    })
    expect(await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'running' } })).toMatchObject({ status: 409 })
    expect((await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'succeeded' } })).body).toMatchObject({
      status: { state: 'succeeded', version: 3 },
    })
    expect(await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'failed' } })).toEqual({
      status: 409,
      body: { detail: `Rollout ${id}: cannot transition succeeded -> failed` },
    })
    const { rollout_id: other } = gw.createRollout({ q: 'patch-2' })
    expect(await api('PATCH', `/api/rollouts/${other}`, { status: { state: 'succeeded' } })).toMatchObject({
      status: 409,
    })
    expect(
      (await api('PATCH', `/api/rollouts/${other}`, { status: { state: 'failed', error_message: 'boom' } })).body
    ).toMatchObject({
      status: { state: 'failed', error_message: 'boom' },
    })
    // A patch without a state only bumps the version.
    expect((await api('PATCH', `/api/rollouts/${other}`, { status: { k8s_job_name: 'job-1' } })).body).toMatchObject({
      status: { state: 'failed', k8s_job_name: 'job-1', version: 3 },
    })
    expect(() => gw.setRolloutState(other, 'running')).toThrow(AglGatewayError)
  })

  it('PATCH validates like RolloutPatch (status extra="forbid", the state enum) and 404s unknown rollouts', async () => {
    const { rollout_id: id } = gw.createRollout({ q: 'patch-bad' })
    expect(await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'done' } })).toEqual({
      status: 422,
      body: {
        detail: [
          {
            type: 'enum',
            loc: ['body', 'status', 'state'],
            msg: "Input should be 'queuing', 'running', 'succeeded' or 'failed'",
            input: 'done',
            ctx: { expected: "'queuing', 'running', 'succeeded' or 'failed'" },
          },
        ],
      },
    })
    expect((await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'running', input: 3 } })).body).toEqual({
      detail: [
        { type: 'extra_forbidden', loc: ['body', 'status', 'input'], msg: 'Extra inputs are not permitted', input: 3 },
      ],
    })
    // `RolloutPatch` itself ignores unknown keys: the patch applies.
    expect(await api('PATCH', `/api/rollouts/${id}`, { status: { state: 'running' }, input: 3 })).toMatchObject({
      status: 200,
      body: { rollout_id: id, input: { q: 'patch-bad' }, status: { state: 'running' } },
    })
    expect(await api('PATCH', '/api/rollouts/ghost', { status: { state: 'running' } })).toEqual({
      status: 404,
      body: { detail: 'Rollout not found: ghost' },
    })
  })

  it('lists by state, pages terminal rollouts in completion order, deletes', async () => {
    const fresh = await startAglGateway()
    try {
      const get = async (path: string) => (await fetch(`${fresh.url}${path}`)).json()
      const [a, b, c] = fresh.createRollouts([
        { input: { data_id: 'd1' } },
        { input: { instance_id: 'i2' } },
        { input: 3 },
      ])
      fresh.setRolloutState(b!.rollout_id, 'failed')
      fresh.setRolloutState(a!.rollout_id, 'running')
      fresh.setRolloutState(a!.rollout_id, 'succeeded')
      const queued = (await get('/api/rollouts?state_in=queuing')) as Array<{ rollout_id: string }>
      expect(queued.map((r) => r.rollout_id)).toEqual([c!.rollout_id])
      expect(((await get('/api/rollouts?state_in=queuing&state_in=failed&limit=5')) as unknown[]).length).toBe(2)
      expect(await get('/api/rollouts')).toEqual({
        detail: [{ type: 'missing', loc: ['query', 'state_in'], msg: 'Field required', input: null }],
      })
      expect(await get('/api/rollouts/terminal?limit=1')).toEqual({
        items: [{ rollout_id: b!.rollout_id, state: 'failed', data_id: 'i2', is_train: true }],
        next_after: 1,
        total_terminal: 2,
      })
      expect(await get('/api/rollouts/terminal?after=1')).toEqual({
        items: [{ rollout_id: a!.rollout_id, state: 'succeeded', data_id: 'd1', is_train: true }],
        next_after: 2,
        total_terminal: 2,
      })
      const del = await fetch(`${fresh.url}/api/rollouts/${a!.rollout_id}`, { method: 'DELETE' })
      expect([del.status, del.headers.get('content-type'), await del.text()]).toEqual([204, 'application/json', ''])
      expect((await fetch(`${fresh.url}/api/rollouts/${a!.rollout_id}`)).status).toBe(404)
      expect((await get('/api/rollouts/terminal')) as { total_terminal: number }).toMatchObject({ total_terminal: 1 })
    } finally {
      await fresh.close()
    }
  })
})

describe('models API and misc routes', () => {
  it('POST /api/models registers upstreams (201, upsert by model+endpoint); DELETE clears them', async () => {
    const body = [
      { model: 'Qwen/Qwen3-8B', endpoint: 'http://10.0.0.1:8000/v1' },
      { model: 'Qwen/Qwen3-8B', endpoint: 'http://10.0.0.2:8000/v1', version: 4 },
    ]
    expect(await api('POST', '/api/models', body)).toEqual({
      status: 201,
      body: [
        { model: 'Qwen/Qwen3-8B', endpoint: 'http://10.0.0.1:8000/v1', version: 0 },
        { model: 'Qwen/Qwen3-8B', endpoint: 'http://10.0.0.2:8000/v1', version: 4 },
      ],
    })
    expect((await api('POST', '/api/models', [{ model: 'x' }])).body).toEqual({
      detail: [{ type: 'missing', loc: ['body', 0, 'endpoint'], msg: 'Field required', input: { model: 'x' } }],
    })
    expect(await api('DELETE', '/api/models')).toEqual({ status: 200, body: { status: 'ok' } })
  })

  it('GET /healthz, unknown paths 404, wrong methods 405', async () => {
    expect(await api('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await api('GET', '/nope')).toEqual({ status: 404, body: { detail: 'Not Found' } })
    expect(await api('PUT', '/api/rollouts')).toEqual({ status: 405, body: { detail: 'Method Not Allowed' } })
    expect(await api('POST', '/healthz')).toEqual({ status: 405, body: { detail: 'Method Not Allowed' } })
  })

  it('a path known only with the trailing slash toggled is a 307 to it, query kept, any method (Starlette redirect_slashes)', async () => {
    const go = (method: string, path: string) =>
      fetch(`${gw.url}${path}`, { method, redirect: 'manual', headers: { authorization: `Bearer ${KEY}` } })
    const listing = await go('GET', '/api/rollouts/?state_in=queuing')
    expect([listing.status, listing.headers.get('location'), await listing.text()]).toEqual([
      307,
      `${gw.url}/api/rollouts?state_in=queuing`,
      '',
    ])
    expect((await go('POST', '/proxy/state/')).headers.get('location')).toBe(`${gw.url}/proxy/state`)
    expect((await go('GET', '/nope/')).status).toBe(404)
    expect((await go('GET', '/')).status).toBe(404)
  })
})
