import type { ServerResponse } from 'node:http'

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
