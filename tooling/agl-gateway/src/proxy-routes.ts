import { pyJsonDumps } from '@strands-vllm/mock-server/internal'
import type { RequestContext } from './context.js'
import { sendInternalError, sendRaw } from './http-io.js'
import { type ProxyRequestRecord, redactHeaders } from './proxy-record.js'
import { pinEndpoint } from './replica-pinning.js'
import type { JsonObject, JsonValue, ModelRequestData, ModelServer, PauseState, ProxyMode } from './types.js'
import { sendUpstream, UpstreamFailure, type UpstreamResponse } from './upstream.js'
import { Issues, int, isObject, model, optionalStr, parseJsonBody, pyTruthy } from './validation.js'

const UPSTREAM_PATHS = new Set(['chat/completions', 'completions'])

/**
 * `POST /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/{path}` (`routes/proxy.py` + `proxy.py`), checks in
 * the real order: key → mode → path → rollout → JSON body → replica → pause → `stream` → upstream with retries.
 */
export async function proxyRoute(ctx: RequestContext, params: Record<string, string>): Promise<void> {
  const rolloutId = params.rollout_id ?? ''
  const attemptId = params.attempt_id ?? ''
  const mode = params.mode ?? ''
  const upstreamPath = params.upstream_path ?? ''
  const record: ProxyRequestRecord = {
    rolloutId,
    attemptId,
    mode,
    upstreamPath,
    headers: redactHeaders(ctx.req.headers),
    body: undefined,
    status: 0,
    endpoint: null,
    upstreamAttempts: 0,
    receivedAt: Date.now(),
  }
  ctx.received.push(record)
  ctx.res.on('finish', () => {
    record.status = ctx.res.statusCode
  })

  if (!ctx.requireKey()) return
  if (mode !== 'train' && mode !== 'val') return ctx.detail(404, `Unsupported proxy mode: ${mode}`)
  if (!UPSTREAM_PATHS.has(upstreamPath)) return ctx.detail(404, `Unsupported upstream path: ${upstreamPath}`)
  if (!ctx.state.rollouts.has(rolloutId)) return ctx.detail(404, `Rollout not found: ${rolloutId}`)

  const raw = await ctx.rawBody()
  let body: JsonValue = {}
  if (raw.length > 0) {
    const parsed = parseJsonBody(raw)
    if ('issue' in parsed) return ctx.detail(400, 'Invalid JSON in request body')
    body = parsed.value ?? null
  }
  record.body = body

  const { modelName } = ctx.config
  const server = pinEndpoint(rolloutId, ctx.state.models.get(modelName)?.values() ?? [])
  if (!server) return ctx.detail(503, `No servers available for model '${modelName}'`)
  record.endpoint = server.endpoint
  // The real route spreads the body into the rewrites (`{**body, …}`): JSON that is not an object (an array, a
  // string, `null`) raises there, and FastAPI answers a plain 500 — before the pause check.
  if (!isObject(body)) {
    ctx.config.log('warn', 'proxy body is not a JSON object: the real server raises TypeError here')
    return sendInternalError(ctx.res)
  }

  const prepared = prepareBody(body, mode, ctx)
  await forward(ctx, record, server, prepared, upstreamPath)
}

/** The rewrites: `model`, `temperature` per mode, `return_token_ids`; train mode also asks for logprobs. */
function prepareBody(body: JsonObject, mode: ProxyMode, ctx: Pick<RequestContext, 'config'>): JsonObject {
  const { modelName, temperature, includeLogProbs } = ctx.config
  const prepared: JsonObject = { ...body, model: modelName, temperature: temperature[mode], return_token_ids: true }
  if (mode === 'train' && includeLogProbs) prepared.logprobs = true
  return prepared
}

async function forward(
  ctx: RequestContext,
  record: ProxyRequestRecord,
  server: ModelServer,
  body: JsonObject,
  upstreamPath: string
): Promise<void> {
  const { pause } = ctx.state
  if (pause.paused) {
    const payload = pyJsonDumps({ error: 'gateway paused', reason: pause.reason })
    return sendRaw(ctx.res, 429, payload, {
      'retry-after': String(pause.retryAfterSeconds),
      'x-agl-paused': 'true',
      'content-type': 'application/json',
    })
  }
  pause.inflight += 1
  try {
    if (pyTruthy(body.stream)) return ctx.detail(400, 'Streaming responses are not supported')
    const url = `${server.endpoint.replace(/\/+$/, '')}/${upstreamPath}`
    const started = performance.now()
    let response: UpstreamResponse
    try {
      response = await sendUpstream(url, body, {
        retry: ctx.config.retry,
        timeoutMs: ctx.config.upstreamTimeoutMs,
        extraHeaders: pickHeaders(ctx, ctx.config.forwardHeaders),
        agents: ctx.config.agents,
        onRetry: ({ attempt, delayMs, reason }) => {
          record.upstreamAttempts = attempt
          ctx.config.log(
            'warn',
            `Retrying upstream request (${attempt}/${ctx.config.retry.maxAttempts}, ${reason}, in ${Math.round(delayMs)} ms)`
          )
        },
      })
    } catch (error) {
      if (error instanceof UpstreamFailure) {
        record.upstreamAttempts = error.attempts
        return ctx.detail(error.kind === 'timeout' ? 504 : 502, error.message)
      }
      throw error
    }
    record.upstreamAttempts = response.retryCount + 1
    const latencyMs = performance.now() - started
    const contentType = String(response.headers['content-type'] ?? '')
    let responseBody: JsonObject = {}
    if (contentType.startsWith('application/json')) {
      try {
        responseBody = JSON.parse(response.body.toString('utf8')) as JsonObject
      } catch {
        ctx.config.log('warn', `upstream ${url} sent invalid JSON`)
        return sendInternalError(ctx.res)
      }
    }
    const data: ModelRequestData = {
      model: server.model,
      model_version: server.version,
      request: body,
      response: responseBody,
      server: { model: server.model, endpoint: server.endpoint, version: server.version },
      latency_ms: latencyMs,
      http_status: response.status,
      status: response.status < 400 ? 'ok' : 'error',
      retry_count: response.retryCount,
      usage: isObject(responseBody.usage) ? responseBody.usage : null,
      finish_reason: firstFinishReason(responseBody),
    }
    const event = ctx.state.recordEvent(
      record.rolloutId,
      record.attemptId,
      'model_request',
      data as unknown as JsonObject
    )
    if (!event) return ctx.detail(404, `Rollout not found: ${record.rolloutId}`)
    ctx.json(response.status, responseBody)
  } finally {
    pause.inflight = Math.max(0, pause.inflight - 1)
  }
}

function pickHeaders(ctx: RequestContext, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of names) {
    const value = ctx.req.headers[name.toLowerCase()]
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}

function firstFinishReason(body: JsonObject): string | null {
  const first = Array.isArray(body.choices) ? body.choices[0] : undefined
  const reason = isObject(first) ? first.finish_reason : undefined
  return typeof reason === 'string' && reason ? reason : null
}

function pauseView(ctx: RequestContext): PauseState {
  const { pause } = ctx.state
  return {
    paused: pause.paused,
    retry_after_seconds: pause.retryAfterSeconds,
    reason: pause.reason,
    inflight: pause.inflight,
  }
}

/** `POST /proxy/pause` `{retry_after_seconds = 5, reason = null}`: new proxy calls get 429; in-flight ones finish. */
export async function pauseRoute(ctx: RequestContext): Promise<void> {
  const body = await ctx.requiredBody()
  if (body === undefined) return
  const issues = new Issues()
  const obj = model(issues, body, ['body'])
  let retryAfter: number | undefined = 5
  let reason: string | null | undefined = null
  if (obj) {
    if (obj.retry_after_seconds !== undefined)
      retryAfter = int(issues, obj.retry_after_seconds, ['body', 'retry_after_seconds'])
    reason = optionalStr(issues, obj.reason, ['body', 'reason'])
  }
  if (!issues.ok || retryAfter === undefined || reason === undefined) return ctx.unprocessable(issues)
  Object.assign(ctx.state.pause, { paused: true, retryAfterSeconds: retryAfter, reason })
  ctx.json(200, pauseView(ctx))
}

export function resumeRoute(ctx: RequestContext): void {
  if (!ctx.requireKey()) return
  Object.assign(ctx.state.pause, { paused: false, reason: null })
  ctx.json(200, pauseView(ctx))
}

export function pauseStateRoute(ctx: RequestContext): void {
  if (!ctx.requireKey()) return
  ctx.json(200, pauseView(ctx))
}
