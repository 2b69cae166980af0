import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerConfig } from './config.js'
import { badRequest, errorBody, MockVLLMRequestError } from './errors.js'
import type { FaultSet } from './faults.js'
import type { RecordedChoice, RecordedRequest } from './types.js'

/** One request in flight: its config, faults, record, and the ways to answer it. */
export class Exchange {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly config: ServerConfig,
    readonly faults: FaultSet,
    readonly record: RecordedRequest,
    readonly body: unknown
  ) {}

  /** Client went away (or a fault destroyed the socket). */
  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded
  }

  /** Send a JSON body. Body faults (`cut-stream`, `close-mid-body`, `malformed-chunk`) truncate it. */
  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.closed) return
    const text = JSON.stringify(body)
    this.record.status = status
    this.record.response = body
    const truncate =
      status === 200 &&
      ['close-mid-body', 'cut-stream', 'malformed-chunk'].some((t) => this.faults.has(t as 'cut-stream'))
    if (!truncate) {
      this.res.writeHead(status, {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      })
      this.res.end(text)
      return
    }
    // Chunked, so a truncated body is not also a content-length mismatch.
    this.res.writeHead(status, { 'content-type': 'application/json' })
    const half = text.slice(0, Math.floor(text.length / 2))
    if (this.faults.has('close-mid-body')) this.res.write(half, () => this.res.destroy())
    else this.res.end(half)
  }

  /** vLLM's error response (nested, or flat under `flat-error-shape`). */
  sendError(error: MockVLLMRequestError): void {
    this.sendJson(error.status, errorBody(error, this.faults.has('flat-error-shape')))
  }

  /** The JSON body as an object naming the served model (or none), else vLLM's 400 / 404. */
  requestBody<T extends { model?: string | undefined }>(): T {
    const body = this.body as T
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest('Request body must be a JSON object')
    }
    if (body.model !== undefined && body.model !== this.config.modelId) {
      throw new MockVLLMRequestError(404, `The model \`${body.model}\` does not exist.`, {
        type: 'NotFoundError',
        param: 'model',
      })
    }
    return body
  }

  /** Record every choice; the top-level fields mirror choice 0 (what an n = 1 client sees). */
  recordChoices(choices: RecordedChoice[]): void {
    this.record.choices = choices
    const first = choices[0]
    if (!first) return
    this.record.tokenIds = first.tokenIds
    this.record.generatedTokenIds = first.generatedTokenIds
    this.record.logprobs = first.logprobs
    this.record.finishReason = first.finishReason
  }

  /** Unknown paths and methods answer like FastAPI. */
  sendDetail(status: number, detail: string): void {
    this.sendJson(status, { detail })
  }
}

export { MockVLLMRequestError }
