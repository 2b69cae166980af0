import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { gunzipSync, gzipSync } from 'node:zlib'
import { listenOnLoopback, readRequestBody } from '@strands-vllm/mock-server/internal'
import { AglStoreError } from './errors.js'
import { decodeTraceRequest, encodeRpcStatus, encodeTraceResponse } from './otlp-codec.js'
import type { StoreSpan, Triplet } from './span.js'
import { spansFromOtlp } from './spans-from-otlp.js'
import { TracerTraceToTriplet, type TracerTraceToTripletOptions } from './tracer-trace-to-triplet.js'

const PROTOBUF = 'application/x-protobuf'

export interface AglStoreOptions {
  port?: number
  host?: string
  /** Where the store's warnings (dropped spans) and errors (the 500s' causes) go besides `warnings` / `errors`. */
  logger?: { warn?(message: string): void; error?(message: string): void }
}

/** One `POST /v1/traces` as the store handled it. */
export interface ExportRecord {
  status: number
  contentType: string
  /** Spans stored by this request. */
  accepted: number
  /** Spans dropped for lack of rollout/attempt ids. */
  dropped: number
  /** Why a 400 or 500 was sent (for a 500 the real server only logs it; the body says `Internal Server Error`). */
  error: string | null
}

export interface StartedRollout {
  rolloutId: string
  attemptId: string
}

/** A running stand-in of v0.3's `LightningStoreServer` (OTLP part) + `InMemoryLightningStore`. */
export interface AglStore {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** `${url}/v1/traces`: what an OTLP exporter's `url` is set to. */
  readonly tracesUrl: string
  /** Every span warning (dropped spans, bad sequence ids), in order. */
  readonly warnings: readonly string[]
  /** Every error that made an export answer 500 (`Rollout … not found`, `Attempt … not found for rollout …`). */
  readonly errors: readonly string[]
  readonly exports: readonly ExportRecord[]
  /** `start_rollout`: a rollout (`ro-…`) with its first attempt (`at-…`). */
  startRollout(options?: { input?: unknown; rolloutId?: string }): StartedRollout
  /** A new attempt of a rollout; it becomes the latest. */
  startAttempt(rolloutId: string): string
  /** `query_spans(rollout_id, attempt_id)`: the attempt's spans by sequence id. Default the latest attempt. */
  querySpans(rolloutId: string, attemptId?: string): StoreSpan[]
  /** `TracerTraceToTriplet(options).adapt(query_spans(rollout_id, "latest"))`, as the v0.3 trainer daemon calls it. */
  adapt(rolloutId: string, options?: TracerTraceToTripletOptions): Triplet[]
  close(): Promise<void>
}

interface RolloutRecord {
  input: unknown
  attempts: string[]
  spans: Map<string, StoreSpan[]>
  sequence: number
}

/** Start the store stand-in on 127.0.0.1 (port 0 by default). */
export async function startAglStore(options: AglStoreOptions = {}): Promise<AglStore> {
  const rollouts = new Map<string, RolloutRecord>()
  const warnings: string[] = []
  const errors: string[] = []
  const exports: ExportRecord[] = []
  const warn = (message: string): void => {
    warnings.push(message)
    options.logger?.warn?.(message)
  }

  /** `add_many_spans`: per (rollout, attempt) group in arrival order; an unknown one throws (earlier groups stay). */
  const addSpans = (spans: StoreSpan[]): number => {
    for (const span of spans) {
      if (span.sequence_id < 0) {
        const rollout = rollouts.get(span.rollout_id)
        if (rollout) span.sequence_id = ++rollout.sequence
        else span.sequence_id = 1
      }
    }
    const groups = new Map<string, StoreSpan[]>()
    for (const span of spans) {
      const key = JSON.stringify([span.rollout_id, span.attempt_id])
      const group = groups.get(key)
      if (group) group.push(span)
      else groups.set(key, [span])
    }
    let added = 0
    for (const group of groups.values()) {
      const { rollout_id: rolloutId, attempt_id: attemptId } = group[0]!
      const rollout = rollouts.get(rolloutId)
      if (!rollout) throw new StoreFailure(`Rollout ${rolloutId} not found`)
      const list = rollout.spans.get(attemptId)
      if (!list) throw new StoreFailure(`Attempt ${attemptId} not found for rollout ${rolloutId}`)
      rollout.sequence = Math.max(rollout.sequence, ...group.map((s) => s.sequence_id))
      list.push(...group)
      added += group.length
    }
    return added
  }

  const handleTraces = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim()
    const record: ExportRecord = { status: 200, contentType, accepted: 0, dropped: 0, error: null }
    exports.push(record)
    const gzipOut = acceptsGzip(req)
    const reply = (status: number, body: Uint8Array, type: string): void => {
      record.status = status
      const payload = gzipOut ? gzipSync(body) : Buffer.from(body)
      const headers: Record<string, string> = { 'content-type': type, 'content-length': String(payload.length) }
      if (gzipOut) headers['content-encoding'] = 'gzip'
      res.writeHead(status, headers)
      res.end(payload)
    }
    if (contentType !== PROTOBUF) {
      record.error = `Unsupported Content-Type '${contentType}', expected '${PROTOBUF}'`
      req.resume()
      return reply(400, encodeRpcStatus(record.error), PROTOBUF)
    }
    let body = await readRequestBody(req)
    if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') body = gunzipSync(body)
    let resourceSpans: ReturnType<typeof decodeTraceRequest> = []
    if (body.length > 0) {
      try {
        resourceSpans = decodeTraceRequest(body)
      } catch (error) {
        record.error = `Unable to parse OTLP traces payload: ${(error as Error).message}`
        return reply(400, encodeRpcStatus(record.error), PROTOBUF)
      }
    }
    const { spans, dropped } = spansFromOtlp(resourceSpans, warn)
    record.dropped = dropped
    try {
      record.accepted = addSpans(spans)
    } catch (error) {
      if (!(error instanceof StoreFailure)) throw error
      record.error = error.message
      errors.push(error.message)
      options.logger?.error?.(error.message)
      record.status = 500
      const text = 'Internal Server Error'
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(text.length) })
      res.end(text)
      return
    }
    reply(200, encodeTraceResponse(), PROTOBUF)
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const run = async (): Promise<void> => {
      if (path === '/v1/traces' && req.method === 'POST') return handleTraces(req, res)
      if ((path === '/v1/metrics' || path === '/v1/logs') && req.method === 'POST') {
        req.resume()
        res.writeHead(501, { 'content-length': '0' })
        return void res.end()
      }
      req.resume()
      const known = path === '/v1/traces' || path === '/v1/metrics' || path === '/v1/logs'
      const text = JSON.stringify({ detail: known ? 'Method Not Allowed' : 'Not Found' })
      res.writeHead(known ? 405 : 404, { 'content-type': 'application/json', 'content-length': String(text.length) })
      res.end(text)
    }
    run().catch((error: unknown) => {
      options.logger?.error?.(`unhandled: ${(error as Error)?.message ?? String(error)}`)
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end('Internal Server Error')
      } else res.destroy()
    })
  })
  const { url, close } = await listenOnLoopback(server, options)

  const store: AglStore = {
    url,
    tracesUrl: `${url}/v1/traces`,
    warnings,
    errors,
    exports,
    startRollout(opts = {}) {
      const rolloutId = opts.rolloutId ?? `ro-${randomBytes(6).toString('hex')}`
      if (rollouts.has(rolloutId)) throw new AglStoreError(`rollout ${rolloutId} exists`)
      rollouts.set(rolloutId, { input: opts.input ?? null, attempts: [], spans: new Map(), sequence: 0 })
      return { rolloutId, attemptId: store.startAttempt(rolloutId) }
    },
    startAttempt(rolloutId) {
      const rollout = rollouts.get(rolloutId)
      if (!rollout) throw new AglStoreError(`Rollout ${rolloutId} not found`)
      const attemptId = `at-${randomBytes(4).toString('hex')}`
      rollout.attempts.push(attemptId)
      rollout.spans.set(attemptId, [])
      return attemptId
    },
    querySpans(rolloutId, attemptId = 'latest') {
      const rollout = rollouts.get(rolloutId)
      if (!rollout) return []
      const id = attemptId === 'latest' ? rollout.attempts.at(-1) : attemptId
      const spans = id === undefined ? [] : (rollout.spans.get(id) ?? [])
      return [...spans].sort((a, b) => a.sequence_id - b.sequence_id)
    },
    adapt(rolloutId, adapterOptions) {
      return new TracerTraceToTriplet(adapterOptions).adapt(store.querySpans(rolloutId))
    },
    close,
  }
  return store
}

/** A store-level failure the real server turns into a 500 (the message only reaches its log). */
class StoreFailure extends Error {}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'] ?? ''
  return header
    .split(',')
    .map((t) => t.split(';')[0]!.trim().toLowerCase())
    .includes('gzip')
}
