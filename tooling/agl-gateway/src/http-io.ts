import type { IncomingMessage, ServerResponse } from 'node:http'

/** Largest request body read (the real server has no small limit; this guards the test process). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** FastAPI's `JSONResponse`: compact separators, UTF-8, `application/json`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  sendRaw(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers })
}

/** `HTTPException(status, detail)` as FastAPI renders it: `{"detail": …}`. */
export function sendDetail(
  res: ServerResponse,
  status: number,
  detail: unknown,
  headers?: Record<string, string>
): void {
  sendJson(res, status, { detail }, headers)
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) })
  res.end(buf)
}

/** Starlette's answer to an unhandled exception (the message goes to the server log, never the body). */
export function sendInternalError(res: ServerResponse): void {
  sendRaw(res, 500, 'Internal Server Error', { 'content-type': 'text/plain; charset=utf-8' })
}
