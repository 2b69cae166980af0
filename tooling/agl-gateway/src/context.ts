import type { IncomingMessage, ServerResponse } from 'node:http'
import { readRequestBody } from '@strands-vllm/mock-server/internal'
import type { GatewayState } from './gateway-state.js'
import { sendDetail, sendJson } from './http-io.js'
import type { ProxyRequestRecord } from './proxy-record.js'
import type { JsonValue, ProxyMode } from './types.js'
import type { RetryOptions, UpstreamAgents } from './upstream.js'
import { Issues, parseJsonBody } from './validation.js'

/** Resolved gateway settings shared by every route. */
export interface GatewayConfig {
  key: string
  modelName: string
  temperature: Record<ProxyMode, number>
  includeLogProbs: boolean
  retry: Required<RetryOptions>
  upstreamTimeoutMs: number
  forwardHeaders: readonly string[]
  agents: UpstreamAgents
  log: (level: 'info' | 'warn', message: string) => void
}

/** One request in flight: the raw exchange plus the server's state and settings. */
export class RequestContext {
  private raw: Promise<Buffer> | undefined
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    readonly state: GatewayState,
    readonly config: GatewayConfig,
    readonly received: ProxyRequestRecord[]
  ) {}

  rawBody(): Promise<Buffer> {
    this.raw ??= readRequestBody(this.req)
    return this.raw
  }

  /** The app's key check (`verify_key`): off when no key is set; else `Bearer KEY` or `x-api-key: KEY`. */
  authorized(): boolean {
    const { key } = this.config
    if (!key) return true
    const auth = this.req.headers.authorization ?? ''
    if (auth.startsWith('Bearer ') && auth.slice(7) === key) return true
    return this.req.headers['x-api-key'] === key
  }

  /** Sends the 401 and returns false when the key check fails. */
  requireKey(): boolean {
    if (this.authorized()) return true
    sendDetail(this.res, 401, 'Invalid or missing API key')
    return false
  }

  /**
   * A route with a declared body model: FastAPI decodes JSON first (422 before auth), then runs the key check.
   * Returns `{ body }` to go on, or undefined once an answer was sent.
   */
  async bodyThenKey(): Promise<{ body: JsonValue | undefined } | undefined> {
    const parsed = parseJsonBody(await this.rawBody())
    if ('issue' in parsed) {
      this.unprocessable([parsed.issue])
      return undefined
    }
    if (!this.requireKey()) return undefined
    return { body: parsed.value }
  }

  /** `bodyThenKey()` for a route whose body is required: a missing one is FastAPI's 422 `missing` at `body`. */
  async requiredBody(): Promise<JsonValue | undefined> {
    const ready = await this.bodyThenKey()
    if (ready && ready.body === undefined) {
      const issues = new Issues()
      issues.missing(['body'], null)
      this.unprocessable(issues)
      return undefined
    }
    return ready?.body
  }

  unprocessable(issues: Issues | Issues['list']): void {
    sendJson(this.res, 422, { detail: Array.isArray(issues) ? issues : issues.list })
  }

  json(status: number, body: unknown, headers?: Record<string, string>): void {
    sendJson(this.res, status, body, headers)
  }

  detail(status: number, detail: string): void {
    sendDetail(this.res, status, detail)
  }
}
