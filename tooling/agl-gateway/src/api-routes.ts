import type { RequestContext } from './context.js'
import { RolloutMetadataError } from './gateway-state.js'
import { sendInternalError, sendRaw } from './http-io.js'
import { validateRolloutCreates, validateRolloutPatch } from './rollout-requests.js'
import { toTripletEvents } from './triplet-events.js'
import { type JsonObject, type ModelServer, ROLLOUT_STATES, type RolloutState, VALID_TRANSITIONS } from './types.js'
import { dict, enumValue, Issues, int, list, model, str } from './validation.js'

/** The store routes under `/api` (`routes/rollouts.py`, `routes/events.py`, `routes/models.py`). */

const notFound = (ctx: RequestContext, rolloutId: string): void => ctx.detail(404, `Rollout not found: ${rolloutId}`)

export async function createRolloutsRoute(ctx: RequestContext): Promise<void> {
  const ready = await ctx.bodyThenKey()
  if (!ready) return
  const result = validateRolloutCreates(ready.body)
  if ('issues' in result) return ctx.unprocessable(result.issues)
  let created: ReturnType<typeof ctx.state.createRollouts>
  try {
    created = ctx.state.createRollouts(result.items)
  } catch (error) {
    if (!(error instanceof RolloutMetadataError)) throw error
    ctx.config.log('warn', `POST /api/rollouts: ${error.message} (the real server raises here)`)
    return sendInternalError(ctx.res)
  }
  ctx.json(201, created)
}

export function listRolloutsRoute(ctx: RequestContext): void {
  if (!ctx.requireKey()) return
  const issues = new Issues()
  const rawStates = ctx.url.searchParams.getAll('state_in')
  if (rawStates.length === 0) issues.missing(['query', 'state_in'], null)
  const states = rawStates.map((s, i) => enumValue(issues, s, ROLLOUT_STATES, ['query', 'state_in', i]))
  const rawLimit = ctx.url.searchParams.get('limit')
  const limit = rawLimit === null ? 500 : int(issues, rawLimit, ['query', 'limit'])
  if (!issues.ok || limit === undefined) {
    ctx.unprocessable(issues)
    return
  }
  const wanted = new Set(states as RolloutState[])
  const matches = [...ctx.state.rollouts.values()].filter((r) => wanted.has(r.status.state))
  ctx.json(200, matches.slice(0, limit))
}

export function terminalRolloutsRoute(ctx: RequestContext): void {
  if (!ctx.requireKey()) return
  const issues = new Issues()
  const rawAfter = ctx.url.searchParams.get('after')
  const rawLimit = ctx.url.searchParams.get('limit')
  let after = rawAfter === null ? 0 : int(issues, rawAfter, ['query', 'after'])
  let limit = rawLimit === null ? 1000 : int(issues, rawLimit, ['query', 'limit'])
  if (!issues.ok || after === undefined || limit === undefined) {
    ctx.unprocessable(issues)
    return
  }
  after = Math.max(after, 0)
  limit = Math.max(limit, 1)
  const order = ctx.state.terminalOrder
  const slice = order.slice(after, after + limit)
  const items = slice.flatMap((id) => {
    const rollout = ctx.state.rollouts.get(id)
    if (!rollout) return []
    const input = rollout.input
    const dataId =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? String(input.data_id || input.instance_id || '')
        : ''
    return [{ rollout_id: id, state: rollout.status.state, data_id: dataId, is_train: rollout.is_train }]
  })
  ctx.json(200, { items, next_after: after + slice.length, total_terminal: order.length })
}

export function getRolloutRoute(ctx: RequestContext, params: Record<string, string>): void {
  if (!ctx.requireKey()) return
  const id = params.rollout_id ?? ''
  const rollout = ctx.state.rollouts.get(id)
  if (!rollout) {
    notFound(ctx, id)
    return
  }
  ctx.json(200, { rollout, attempts: ctx.state.listAttempts(id) })
}

/** Status patch with the store-enforced state machine: a refused change is 409. */
export async function patchRolloutRoute(ctx: RequestContext, params: Record<string, string>): Promise<void> {
  const ready = await ctx.bodyThenKey()
  if (!ready) return
  const result = validateRolloutPatch(ready.body)
  if ('issues' in result) return ctx.unprocessable(result.issues)
  const id = params.rollout_id ?? ''
  const rollout = ctx.state.rollouts.get(id)
  if (!rollout) return notFound(ctx, id)
  const { updates } = result
  if (Object.keys(updates).length === 0) return ctx.json(200, rollout)
  if ('state' in updates) {
    const to = updates.state ?? null
    const from = rollout.status.state
    if (to === null || !VALID_TRANSITIONS[from].includes(to)) {
      return ctx.detail(409, `Rollout ${id}: cannot transition ${from} -> ${to === null ? 'None' : to}`)
    }
  }
  ctx.json(200, ctx.state.patchStatus(id, updates as Partial<typeof rollout.status>))
}

export function deleteRolloutRoute(ctx: RequestContext, params: Record<string, string>): void {
  if (!ctx.requireKey()) return
  ctx.state.deleteRollout(params.rollout_id ?? '')
  // FastAPI keeps the route's JSON media type on the empty 204.
  sendRaw(ctx.res, 204, '', { 'content-type': 'application/json' })
}

/** `POST …/events` with `EventCreate` (`event_type` required, `data` an object defaulting to `{}`). */
export async function postEventRoute(ctx: RequestContext, params: Record<string, string>): Promise<void> {
  const ready = await ctx.bodyThenKey()
  if (!ready) return
  const issues = new Issues()
  if (ready.body === undefined) issues.missing(['body'], null)
  const obj = ready.body === undefined ? undefined : model(issues, ready.body, ['body'])
  let eventType: string | undefined
  let data: JsonObject | undefined = {}
  if (obj) {
    if (!('event_type' in obj)) issues.missing(['body', 'event_type'], obj)
    else eventType = str(issues, obj.event_type, ['body', 'event_type'])
    if ('data' in obj) data = dict(issues, obj.data, ['body', 'data'])
  }
  if (!issues.ok || eventType === undefined || data === undefined) return ctx.unprocessable(issues)
  const id = params.rollout_id ?? ''
  const event = ctx.state.recordEvent(id, params.attempt_id ?? '', eventType, data)
  if (!event) return notFound(ctx, id)
  ctx.json(200, event)
}

/** Events of the rollout's current attempt; `format=triplet` trims and de-duplicates them. */
export function queryEventsRoute(ctx: RequestContext, params: Record<string, string>): void {
  if (!ctx.requireKey()) return
  const id = params.rollout_id ?? ''
  if (!ctx.state.rollouts.has(id)) {
    notFound(ctx, id)
    return
  }
  const eventType = ctx.url.searchParams.get('event_type') ?? undefined
  const events = ctx.state.queryEvents(id, eventType)
  ctx.json(200, ctx.url.searchParams.get('format') === 'triplet' ? toTripletEvents(events) : events)
}

/** `list[Model]`, upserted by (model, endpoint). */
export async function registerModelsRoute(ctx: RequestContext): Promise<void> {
  const body = await ctx.requiredBody()
  if (body === undefined) return
  const issues = new Issues()
  const servers: ModelServer[] = []
  for (const [index, entry] of (list(issues, body, ['body']) ?? []).entries()) {
    const obj = model(issues, entry, ['body', index])
    if (!obj) continue
    const name =
      'model' in obj ? str(issues, obj.model, ['body', index, 'model']) : issues.missing(['body', index, 'model'], obj)
    const endpoint =
      'endpoint' in obj
        ? str(issues, obj.endpoint, ['body', index, 'endpoint'])
        : issues.missing(['body', index, 'endpoint'], obj)
    const version = obj.version === undefined ? 0 : int(issues, obj.version, ['body', index, 'version'])
    if (name !== undefined && endpoint !== undefined && version !== undefined)
      servers.push({ model: name, endpoint, version })
  }
  if (!issues.ok) return ctx.unprocessable(issues)
  ctx.json(
    201,
    servers.map((s) => ctx.state.registerModel(s))
  )
}

export function deleteModelsRoute(ctx: RequestContext): void {
  if (!ctx.requireKey()) return
  ctx.state.clearModels()
  ctx.json(200, { status: 'ok' })
}
