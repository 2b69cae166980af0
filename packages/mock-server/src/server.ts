import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { chatCompletions } from './chat-completions.js'
import { completions } from './completions.js'
import { resolveConfig, type ServerConfig } from './config.js'
import { badRequest, MockVLLMRequestError } from './errors.js'
import { Exchange } from './exchange.js'
import { FAULT_HEADER, FaultSet, parseFaults } from './faults.js'
import { listenOnLoopback, readRequestBody } from './loopback-server.js'
import { detokenize, tokenize } from './tokenize.js'
import type { Fault, MockVLLM, MockVLLMOptions, RecordedRequest } from './types.js'

type Handler = (ex: Exchange) => void | Promise<void>

/** Faults that cut or corrupt a response body: only generating routes get them. */
const BODY_FAULTS: ReadonlySet<string> = new Set(['cut-stream', 'close-mid-body', 'malformed-chunk'])

/** `generates`: status faults apply; `proxied`: what an Agent Lightning gateway proxies (pause/throttle apply). */
const routes: Record<string, { method: 'GET' | 'POST'; handler: Handler; generates?: true; proxied?: true }> = {
  '/v1/chat/completions': { method: 'POST', handler: chatCompletions, generates: true, proxied: true },
  '/v1/completions': { method: 'POST', handler: completions, generates: true, proxied: true },
  '/tokenize': { method: 'POST', handler: tokenize },
  '/detokenize': { method: 'POST', handler: detokenize },
  '/health': { method: 'GET', handler: health, generates: true },
  '/v1/models': { method: 'GET', handler: models },
  '/version': { method: 'GET', handler: (ex) => ex.sendJson(200, { version: ex.config.vllmVersion }) },
}

/**
 * Start a GPU-free server that speaks vLLM's OpenAI-compatible protocol with real Qwen3 token ids.
 * Resolves once it listens; `close()` stops it and destroys open sockets.
 */
export async function startMockVLLM(options: MockVLLMOptions = {}): Promise<MockVLLM> {
  const config = resolveConfig(options, loadQwen3Tokenizer())
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    void handle(config, requests, req, res)
  })
  const { url, close } = await listenOnLoopback(server, options)
  return { url, baseUrl: `${url}/v1`, requests, tokenizer: config.tokenizer, close }
}

async function handle(
  config: ServerConfig,
  requests: RecordedRequest[],
  req: IncomingMessage,
  res: ServerResponse
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  let finish: () => void = () => {}
  const record: RecordedRequest = {
    id: randomUUID(),
    method: req.method ?? 'GET',
    path,
    headers: flatHeaders(req),
    body: undefined,
    status: 0,
    faults: [],
    aborted: false,
    done: new Promise<void>((resolve) => {
      finish = resolve
    }),
  }
  requests.push(record)
  res.on('close', () => {
    if (!res.writableFinished) record.aborted = true
    finish()
  })
  let ex = new Exchange(req, res, config, new FaultSet([]), record, undefined)
  try {
    const raw = (await readRequestBody(req, () => new MockVLLMRequestError(413, 'request body too large'))).toString(
      'utf8'
    )
    const faults: Fault[] = [...config.faults]
    const header = req.headers[FAULT_HEADER]
    let fromHeader: Fault[] = []
    if (typeof header === 'string') {
      try {
        fromHeader = parseFaults(header)
      } catch (error) {
        throw badRequest(`${FAULT_HEADER}: ${(error as Error).message}`)
      }
      faults.push(...fromHeader)
    }
    record.faults = faults
    let body: unknown
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw)
      } catch (error) {
        throw badRequest(`JSON decode error: ${(error as Error).message}`)
      }
    }
    record.body = body
    const route = routes[path]
    // Body faults cut generation answers; `/tokenize` or `/v1/models` behind the same fault header answer whole.
    const applied = route?.generates ? faults : faults.filter((f) => !BODY_FAULTS.has(f.type))
    ex = new Exchange(req, res, config, new FaultSet(applied), record, body)
    if (!route) return ex.sendDetail(404, 'Not Found')
    if (route.method !== req.method) return ex.sendDetail(405, 'Method Not Allowed')
    if (route.proxied && gatewayRefuses(ex, fromHeader, typeof header === 'string' ? header : '')) return
    const status = ex.faults.get('status')
    if (status && route.generates) {
      throw new MockVLLMRequestError(status.status, status.message ?? `mock: injected ${status.status}`)
    }
    await route.handler(ex)
  } catch (error) {
    if (ex.closed) return
    if (res.headersSent) {
      res.destroy()
      return
    }
    ex.sendError(
      MockVLLMRequestError.isInstance(error)
        ? error
        : new MockVLLMRequestError(500, `mock server error: ${(error as Error)?.message ?? String(error)}`)
    )
  }
}

/**
 * `pause`: Agent Lightning's weight-sync answer (429, `Retry-After`, `X-Agl-Paused: true`, a string `error`) for
 * the first `times` requests carrying that fault (counted per header value, or per server fault, and path).
 * `throttle`: a plain 429 without `Retry-After`. True when the request was answered here.
 */
function gatewayRefuses(ex: Exchange, fromHeader: readonly Fault[], header: string): boolean {
  const headerPause = fromHeader.find((f): f is Extract<Fault, { type: 'pause' }> => f.type === 'pause')
  const pause = headerPause ?? ex.faults.get('pause')
  if (pause) {
    const source = headerPause ? header : `server:pause:${pause.seconds}:${pause.times}`
    const key = `${source}\u0000${ex.record.path}`
    if (ex.config.pauses.take(key, pause.times)) {
      ex.sendJson(
        429,
        { error: 'gateway paused', reason: 'weight sync' },
        { 'retry-after': String(pause.seconds), 'x-agl-paused': 'true' }
      )
      return true
    }
  }
  if (ex.faults.has('throttle')) {
    ex.sendError(new MockVLLMRequestError(429, 'mock: throttled'))
    return true
  }
  return false
}

function health(ex: Exchange): void {
  ex.record.status = 200
  ex.res.writeHead(200, { 'content-length': 0 })
  ex.res.end()
}

function models(ex: Exchange): void {
  const { config } = ex
  ex.sendJson(200, {
    object: 'list',
    data: [
      {
        id: config.modelId,
        object: 'model',
        created: config.startedAt,
        owned_by: 'vllm',
        root: config.modelId,
        parent: null,
        max_model_len: config.maxModelLen,
        permission: [
          {
            id: `modelperm-${config.modelId.length}`,
            object: 'model_permission',
            created: config.startedAt,
            allow_create_engine: false,
            allow_sampling: true,
            allow_logprobs: true,
            allow_search_indices: false,
            allow_view: true,
            allow_fine_tuning: false,
            organization: '*',
            group: null,
            is_blocking: false,
          },
        ],
      },
    ],
  })
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}
