import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { listenOnLoopback } from '@strands-vllm/mock-server/internal'
import { type AglGateway, startAglGateway } from './gateway.js'

/** What a front server does with its n-th request (0-based). */
export type FrontAction =
  | 'forward'
  | { status: number; body?: string; contentType?: string }
  | { delayMs: number }
  | 'hang'
  | 'destroy'

export interface FrontServer {
  /** `http://127.0.0.1:<port>/v1`, to register as an upstream. */
  baseUrl: string
  /** How many requests it received. */
  count(): number
  close(): Promise<void>
}

/**
 * A tiny HTTP server in front of a mock vLLM for failures the mock cannot script per call through the gateway
 * (the gateway drops client headers): answer the n-th request with a status, delay it, hang, or cut the socket.
 */
export async function startFront(targetUrl: string, plan: (n: number) => FrontAction): Promise<FrontServer> {
  let n = 0
  const server = createServer((req, res) => {
    const action = plan(n++)
    void handle(targetUrl, action, req, res)
  })
  const { url, close } = await listenOnLoopback(server)
  return { baseUrl: `${url}/v1`, count: () => n, close }
}

/** A mock vLLM with a gateway (API key `key`) in front of it; `close()` stops the gateway, then the mock. */
export async function startGatewayOverMock(
  key: string
): Promise<{ mock: MockVLLM; gw: AglGateway; close(): Promise<void> }> {
  const mock = await startMockVLLM()
  const gw = await startAglGateway({ key, upstreams: [mock.baseUrl] })
  return {
    mock,
    gw,
    async close() {
      await gw.close()
      await mock.close()
    },
  }
}

async function handle(target: string, action: FrontAction, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (action === 'hang') return
  if (action === 'destroy') {
    req.socket.destroy()
    return
  }
  if (typeof action === 'object' && 'status' in action) {
    res.writeHead(action.status, { 'content-type': action.contentType ?? 'application/json' })
    res.end(action.body ?? JSON.stringify({ error: { message: `front: ${action.status}`, code: action.status } }))
    return
  }
  if (typeof action === 'object') await new Promise((r) => setTimeout(r, action.delayMs))
  const url = new URL(target.replace(/\/v1$/, '') + (req.url ?? '/'))
  const upstream = request(url, { method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.on('error', () => res.destroy())
  upstream.end(Buffer.concat(chunks))
}
