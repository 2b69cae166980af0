import { createServer, type IncomingMessage, type Server } from 'node:http'
import { listenOnLoopback } from '@strands-vllm/mock-server/internal'
import {
  createRolloutsRoute,
  deleteModelsRoute,
  deleteRolloutRoute,
  getRolloutRoute,
  listRolloutsRoute,
  patchRolloutRoute,
  postEventRoute,
  queryEventsRoute,
  registerModelsRoute,
  terminalRolloutsRoute,
} from './api-routes.js'
import { type GatewayConfig, RequestContext } from './context.js'
import { AglGatewayError } from './errors.js'
import { GatewayState, RolloutMetadataError } from './gateway-state.js'
import { sendDetail, sendInternalError, sendRaw } from './http-io.js'
import type { ProxyRequestRecord } from './proxy-record.js'
import { pauseRoute, pauseStateRoute, proxyRoute, resumeRoute } from './proxy-routes.js'
import { type RolloutEnv, rolloutEnv } from './rollout-env.js'
import { validateRolloutCreates } from './rollout-requests.js'
import { decodePath, Router } from './router.js'
import { toTripletEvents } from './triplet-events.js'
import type {
  AglEvent,
  ModelRequestData,
  ModelServer,
  PauseState,
  ProxyMode,
  Rollout,
  RolloutCreate,
  RolloutState,
} from './types.js'
import { VALID_TRANSITIONS } from './types.js'
import { type RetryOptions, UpstreamAgents } from './upstream.js'

/** Options of {@link startAglGateway}. Defaults follow the real server's `config/server.yaml`. */
export interface AglGatewayOptions {
  /** Port to listen on. Default 0 (ephemeral; read `url`). */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** Server key (`AGL_KEY`). Empty or absent: auth off, as in the real server. */
  key?: string
  /** `default_proxy.model_name`: the `model` every proxied request is rewritten to. Default `Qwen/Qwen3-8B`. */
  modelName?: string
  /** Upstreams registered under `modelName` at start (`POST /api/models` adds more). Each ends in `/v1`. */
  upstreams?: ReadonlyArray<string | { endpoint: string; version?: number }>
  /** Forced temperatures. Default train 1.0, val 0.7. */
  temperature?: Partial<Record<ProxyMode, number>>
  /** `include_log_probs`: train mode adds `logprobs: true`. Default true. */
  includeLogProbs?: boolean
  /** Upstream retries. Defaults are the real ones (6 attempts, 0.5 s → 8 s); tests shrink the delays. */
  retry?: RetryOptions
  /** Per-attempt upstream timeout. Default 300 s (the real httpx client's). */
  upstreamTimeoutMs?: number
  /**
   * Client headers to pass to the upstream. Not in the real gateway, which drops every client header; a test uses
   * it to reach the mock's fault header (`x-mock-fault`) through the gateway. Default none.
   */
  forwardHeaders?: readonly string[]
  /** Where retry warnings go. Default: nowhere. */
  logger?: { info?(message: string): void; warn?(message: string): void }
}

/** A running stand-in. The HTTP surface is the real server's; the methods are for tests. */
export interface AglGateway {
  /** `http://127.0.0.1:<port>`: the server root (`agl_server.url`). */
  readonly url: string
  /** Every request that reached the proxy route, in arrival order, keys redacted. */
  readonly received: readonly ProxyRequestRecord[]
  /** Create rollouts as `POST /api/rollouts` does (idempotent with an id). */
  createRollouts(items: readonly RolloutCreate[]): Rollout[]
  /** One rollout; `rolloutId` optional (a random hex id otherwise). */
  createRollout(input: RolloutCreate['input'], options?: Omit<RolloutCreate, 'input'>): Rollout
  getRollout(rolloutId: string): Rollout | undefined
  /** Every event of the rollout (all attempts, arrival order), or only `attemptId`'s. */
  events(rolloutId: string, options?: { attemptId?: string; eventType?: string }): AglEvent[]
  /** `data` of each `model_request` event of the rollout (all attempts unless given). */
  modelRequests(rolloutId: string, options?: { attemptId?: string }): ModelRequestData[]
  /** What `GET /api/rollouts/{id}/events?format=triplet` answers. */
  tripletEvents(rolloutId: string): AglEvent[]
  /** Register upstreams as `POST /api/models` does. */
  registerModels(servers: ReadonlyArray<{ model?: string; endpoint: string; version?: number }>): ModelServer[]
  /** `POST /proxy/pause`: `retryAfterSeconds` is an integer, as the real route requires. */
  pause(options?: { retryAfterSeconds?: number; reason?: string | null }): PauseState
  resume(): PauseState
  pauseState(): PauseState
  /** Set a rollout's state directly, through the same state machine as `PATCH` (throws on a refused change). */
  setRolloutState(
    rolloutId: string,
    state: RolloutState,
    extra?: { lastAttemptId?: string; errorMessage?: string }
  ): Rollout
  /** The environment a controller gives the rollout's process (`AGL_OPENAI_BASE_URL`, `AGL_EVENT_URL`, `AGL_KEY`). */
  rolloutEnv(rolloutId: string, options?: { attemptId?: string; mode?: ProxyMode }): RolloutEnv
  close(): Promise<void>
}

/** Start the stand-in on 127.0.0.1. Resolves once it listens. */
export async function startAglGateway(options: AglGatewayOptions = {}): Promise<AglGateway> {
  const config = resolveConfig(options)
  const state = new GatewayState()
  const received: ProxyRequestRecord[] = []
  for (const upstream of options.upstreams ?? []) {
    const entry = typeof upstream === 'string' ? { endpoint: upstream } : upstream
    state.registerModel({ model: config.modelName, endpoint: entry.endpoint, version: entry.version ?? 0 })
  }
  const router = buildRouter()
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway')
    const ctx = new RequestContext(req, res, url, state, config, received)
    const match = router.match(req.method ?? 'GET', decodePath(req.url ?? '/'))
    const run = async (): Promise<void> => {
      if (match.kind === 'not-found') {
        const location = slashRedirect(router, req)
        if (location) return sendRaw(res, 307, '', { location })
        return sendDetail(res, 404, 'Not Found')
      }
      if (match.kind === 'method-not-allowed') return sendDetail(res, 405, 'Method Not Allowed', { allow: match.allow })
      await match.route.handler(ctx, match.params)
    }
    run().catch((error: unknown) => {
      config.log('warn', `unhandled error: ${(error as Error)?.message ?? String(error)}`)
      if (!res.headersSent) sendInternalError(res)
      else res.destroy()
    })
  })
  const { url, close } = await listenOnLoopback(server, options)

  const view = (): PauseState => ({
    paused: state.pause.paused,
    retry_after_seconds: state.pause.retryAfterSeconds,
    reason: state.pause.reason,
    inflight: state.pause.inflight,
  })
  const allEvents = (rolloutId: string, attemptId?: string): AglEvent[] => {
    const byAttempt = state.events.get(rolloutId)
    if (!byAttempt) return []
    if (attemptId !== undefined) return [...(byAttempt.get(attemptId) ?? [])]
    return [...byAttempt.values()].flat().sort((a, b) => a.timestamp - b.timestamp)
  }

  const gateway: AglGateway = {
    url,
    received,
    createRollouts(items) {
      const result = validateRolloutCreates(items as unknown as Parameters<typeof validateRolloutCreates>[0])
      if ('issues' in result) throw new AglGatewayError(`invalid rollouts: ${JSON.stringify(result.issues.list)}`)
      try {
        return state.createRollouts(result.items)
      } catch (error) {
        if (error instanceof RolloutMetadataError) throw new AglGatewayError(`invalid rollouts: ${error.message}`)
        throw error
      }
    },
    createRollout(input, rest = {}) {
      const [rollout] = gateway.createRollouts([{ ...rest, input }])
      if (!rollout) throw new AglGatewayError('no rollout created')
      return rollout
    },
    getRollout: (rolloutId) => state.rollouts.get(rolloutId),
    events(rolloutId, opts = {}) {
      const events = allEvents(rolloutId, opts.attemptId)
      return opts.eventType === undefined ? events : events.filter((e) => e.event_type === opts.eventType)
    },
    modelRequests(rolloutId, opts = {}) {
      return allEvents(rolloutId, opts.attemptId)
        .filter((e) => e.event_type === 'model_request')
        .map((e) => e.data as unknown as ModelRequestData)
    },
    tripletEvents: (rolloutId) => toTripletEvents(state.queryEvents(rolloutId)),
    registerModels(servers) {
      return servers.map((s) =>
        state.registerModel({ model: s.model ?? config.modelName, endpoint: s.endpoint, version: s.version ?? 0 })
      )
    },
    pause(opts = {}) {
      const retryAfterSeconds = opts.retryAfterSeconds ?? 5
      if (!Number.isInteger(retryAfterSeconds)) {
        throw new AglGatewayError(`retryAfterSeconds must be an integer (the real route refuses ${retryAfterSeconds})`)
      }
      Object.assign(state.pause, { paused: true, retryAfterSeconds, reason: opts.reason ?? null })
      return view()
    },
    resume() {
      Object.assign(state.pause, { paused: false, reason: null })
      return view()
    },
    pauseState: view,
    setRolloutState(rolloutId, to, extra = {}) {
      const rollout = state.rollouts.get(rolloutId)
      if (!rollout) throw new AglGatewayError(`Rollout not found: ${rolloutId}`)
      const from = rollout.status.state
      if (!(VALID_TRANSITIONS[from] as readonly string[]).includes(to)) {
        throw new AglGatewayError(`Rollout ${rolloutId}: cannot transition ${from} -> ${to}`)
      }
      return state.patchStatus(rolloutId, {
        state: to,
        ...(extra.lastAttemptId === undefined ? {} : { last_attempt_id: extra.lastAttemptId }),
        ...(extra.errorMessage === undefined ? {} : { error_message: extra.errorMessage }),
      })
    },
    rolloutEnv(rolloutId, opts = {}) {
      const rollout = state.rollouts.get(rolloutId)
      const mode = opts.mode ?? (rollout?.is_train === false ? 'val' : 'train')
      return rolloutEnv({ serverUrl: url, rolloutId, attemptId: opts.attemptId ?? '0', mode, key: config.key })
    },
    close() {
      config.agents.destroy()
      return close()
    },
  }
  return gateway
}

function resolveConfig(options: AglGatewayOptions): GatewayConfig {
  const retry = options.retry ?? {}
  const logger = options.logger
  return {
    key: options.key ?? '',
    modelName: options.modelName ?? 'Qwen/Qwen3-8B',
    temperature: { train: options.temperature?.train ?? 1.0, val: options.temperature?.val ?? 0.7 },
    includeLogProbs: options.includeLogProbs ?? true,
    retry: {
      maxAttempts: retry.maxAttempts ?? 6,
      baseDelayMs: retry.baseDelayMs ?? 500,
      maxDelayMs: retry.maxDelayMs ?? 8000,
      jitter: retry.jitter ?? true,
    },
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? 300_000,
    forwardHeaders: options.forwardHeaders ?? [],
    agents: new UpstreamAgents(),
    log: (level, message) => (level === 'info' ? (logger?.info ?? logger?.warn) : logger?.warn)?.(message),
  }
}

function buildRouter(): Router<RequestContext> {
  const proxyBase = '/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1/{upstream_path:path}'
  return new Router<RequestContext>()
    .add('GET', '/healthz', (ctx) => ctx.json(200, { status: 'ok' }))
    .add('POST', '/api/rollouts', createRolloutsRoute)
    .add('GET', '/api/rollouts', listRolloutsRoute)
    .add('GET', '/api/rollouts/terminal', terminalRolloutsRoute)
    .add('GET', '/api/rollouts/{rollout_id}', getRolloutRoute)
    .add('PATCH', '/api/rollouts/{rollout_id}', patchRolloutRoute)
    .add('DELETE', '/api/rollouts/{rollout_id}', deleteRolloutRoute)
    .add('POST', '/api/rollouts/{rollout_id}/attempt/{attempt_id}/events', postEventRoute)
    .add('GET', '/api/rollouts/{rollout_id}/events', queryEventsRoute)
    .add('POST', '/api/models', registerModelsRoute)
    .add('DELETE', '/api/models', deleteModelsRoute)
    .add('POST', proxyBase, proxyRoute)
    .add('POST', '/proxy/pause', pauseRoute)
    .add('POST', '/proxy/resume', resumeRoute)
    .add('GET', '/proxy/state', pauseStateRoute)
}

/**
 * Starlette's `redirect_slashes`: a path no route knows, that some route knows with the trailing slash toggled, is
 * answered 307 to that path (same query), whatever the method.
 */
function slashRedirect(router: ReturnType<typeof buildRouter>, req: IncomingMessage): string | undefined {
  const [rawPath = '/', query] = (req.url ?? '/').split(/\?(.*)/s, 2)
  if (rawPath === '/') return undefined
  const toggled = rawPath.endsWith('/') ? rawPath.slice(0, -1) : `${rawPath}/`
  if (router.match(req.method ?? 'GET', decodePath(toggled)).kind === 'not-found') return undefined
  const host = req.headers.host ?? 'localhost'
  return `http://${host}${toggled}${query ? `?${query}` : ''}`
}
