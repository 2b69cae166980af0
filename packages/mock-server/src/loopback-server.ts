import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { MockVLLMError } from './errors.js'

/** A listening test server: where to reach it, and how to stop it. */
export interface ListeningServer {
  /** `http://host:port`, the port the system picked when `port` was 0. */
  url: string
  /** Stops accepting, destroys open (keep-alive, streaming) sockets; the same promise every call. */
  close(): Promise<void>
}

/**
 * Listens on `host` (default 127.0.0.1) and `port` (default 0: any free one) and resolves once it does. Tracks the
 * sockets, so `close()` does not wait for idle keep-alive connections or a client that never reads its stream.
 */
export async function listenOnLoopback(
  server: Server,
  options: { port?: number | undefined; host?: string | undefined } = {}
): Promise<ListeningServer> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new MockVLLMError('the server has no TCP address')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}

/** Largest request body read (the real servers have no small limit; this guards the test process). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

/**
 * The whole request body. Past `MAX_BODY_BYTES` (64 MiB) the request is destroyed and the promise rejects with
 * `tooLarge()`, which each server maps to its own error answer.
 */
export function readRequestBody(
  req: IncomingMessage,
  tooLarge: () => Error = () => new MockVLLMError('request body too large')
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(tooLarge())
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
