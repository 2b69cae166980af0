/**
 * The benchmark's server, run as a child process so the parent's CPU clock measures the client alone.
 * Prints one JSON line `{ "baseUrl": … }` when listening; exits when stdin closes.
 *
 * `BUFFERED=1`: a proxy in front of the mock receives each whole response first and sends it at once (64 KB
 * writes), and replays it for the same request again (the body without `session_id`; the mock is deterministic).
 * After a warm-up round the client then gets every endpoint's bytes at the same pace, so its CPU does not depend on
 * how fast the mock computes each chunk (its completions stream with logprobs is several times slower than its chat
 * stream, and a client that waits seconds runs extra background GC cycles that the process clock counts).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startMockVLLM } from '@strands-vllm/mock-server'

const TOKENS = Number(process.env.TOKENS ?? 20_000)
const INTERVAL = Number(process.env.INTERVAL ?? 1)
const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
const content = Array.from({ length: TOKENS }, (_, i) => ` ${words[i % words.length]}`).join('')

// OUTPUT=reasoning: half the words as reasoning, half as content (what a thinking model streams).
const half = content.slice(0, Math.floor(content.length / 2))
const policy =
  process.env.OUTPUT === 'reasoning'
    ? () => ({ reasoning: half.trim(), content: content.slice(half.length) })
    : () => ({ content })
// A window large enough for a second turn on top of a long first answer.
const server = await startMockVLLM({ policy, streamInterval: INTERVAL, maxModelLen: 262_144 })
let baseUrl = server.baseUrl
let proxy: ReturnType<typeof createServer> | undefined
if (process.env.BUFFERED === '1') {
  const seen = new Map<string, { status: number; type: string; body: Buffer }>()
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    let key = `${req.method} ${req.url} ${raw.toString('utf8')}`
    if (raw.length > 0) {
      const { session_id: _session, ...rest } = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
      key = `${req.method} ${req.url} ${JSON.stringify(rest)}`
    }
    let answer = seen.get(key)
    if (!answer) {
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'POST' ? { body: raw } : {}),
      })
      answer = {
        status: upstream.status,
        type: upstream.headers.get('content-type') ?? 'application/json',
        body: Buffer.from(await upstream.arrayBuffer()),
      }
      seen.set(key, answer)
    }
    res.writeHead(answer.status, { 'content-type': answer.type })
    for (let i = 0; i < answer.body.length; i += 65_536) res.write(answer.body.subarray(i, i + 65_536))
    res.end()
  })
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`
}
process.stdout.write(`${JSON.stringify({ baseUrl })}\n`)
process.stdin.resume()
process.stdin.on('end', () => {
  proxy?.close()
  void server.close().then(() => process.exit(0))
})
