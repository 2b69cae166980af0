import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'

/** Upstream retry policy (`proxy.py`): 6 attempts, backoff `min(base * 2^i, cap)` with ±25 % jitter. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 6. */
  maxAttempts?: number
  /** Delay before the second attempt. Default 500 ms. */
  baseDelayMs?: number
  /** Largest delay. Default 8000 ms. */
  maxDelayMs?: number
  /** Multiply each delay by a random factor in [0.75, 1.25]. Default true. */
  jitter?: boolean
}

export interface UpstreamResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** Index of the attempt that produced this response (0: the first). */
  retryCount: number
}

/** Every retry of an attempt ended in a timeout (504) or a transport error (502). */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'transport',
    readonly attempts: number,
    options?: { cause?: unknown }
  ) {
    super(kind === 'timeout' ? 'Upstream model server timed out' : 'Upstream model server request failed', options)
    this.name = 'UpstreamFailure'
  }
}

export interface SendOptions {
  retry: Required<RetryOptions>
  timeoutMs: number
  /** Headers sent besides `content-type` (a stand-in extension; the real gateway sends none). */
  extraHeaders: Record<string, string>
  agents: UpstreamAgents
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
}

/** Keep-alive connection pools of one gateway (destroyed when it closes). */
export class UpstreamAgents {
  readonly http = new HttpAgent({ keepAlive: true })
  readonly https = new HttpsAgent({ keepAlive: true })
  destroy(): void {
    this.http.destroy()
    this.https.destroy()
  }
}

/** Whether the gateway tries again after this upstream status. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

export function retryDelayMs(attemptIndex: number, retry: Required<RetryOptions>): number {
  const delay = Math.min(retry.baseDelayMs * 2 ** attemptIndex, retry.maxDelayMs)
  return retry.jitter ? delay * (0.75 + Math.random() * 0.5) : delay
}

/**
 * POST `body` as JSON to `url`, retrying 408/409/429/5xx and transport errors. The last answer is returned whatever
 * its status (a 503 after six tries comes back as that 503); only when no attempt got an answer does it throw.
 */
export async function sendUpstream(url: string, body: unknown, options: SendOptions): Promise<UpstreamResponse> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8')
  const { maxAttempts } = options.retry
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const last = attempt === maxAttempts - 1
    let response: Omit<UpstreamResponse, 'retryCount'>
    try {
      response = await postOnce(url, payload, options)
    } catch (error) {
      const kind = isTimeout(error) ? 'timeout' : 'transport'
      if (last) throw new UpstreamFailure(kind, attempt + 1, { cause: error })
      await backoff(attempt, kind === 'timeout' ? 'timeout' : 'transport error', options)
      continue
    }
    if (!isRetryableStatus(response.status) || last) return { ...response, retryCount: attempt }
    await backoff(attempt, `status ${response.status}`, options)
  }
  throw new UpstreamFailure('transport', maxAttempts)
}

async function backoff(attempt: number, reason: string, options: SendOptions): Promise<void> {
  const delayMs = retryDelayMs(attempt, options.retry)
  options.onRetry?.({ attempt: attempt + 1, delayMs, reason })
  await sleep(delayMs)
}

class UpstreamTimeout extends Error {}

function isTimeout(error: unknown): boolean {
  return error instanceof UpstreamTimeout
}

function postOnce(url: string, payload: Buffer, options: SendOptions): Promise<Omit<UpstreamResponse, 'retryCount'>> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const secure = target.protocol === 'https:'
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: secure ? options.agents.https : options.agents.http,
        headers: {
          ...options.extraHeaders,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          accept: '*/*',
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      }
    )
    req.setTimeout(options.timeoutMs, () => req.destroy(new UpstreamTimeout('upstream timed out')))
    req.on('error', reject)
    req.end(payload)
  })
}
