/**
 * Requests per second for short chat streams at a few concurrency levels, against a bare `node:http` SSE
 * server in the same process (the transport floor). Rounds are interleaved so both see the same machine load.
 * Run: pnpm --filter @strands-vllm/mock-server bench
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startMockVLLM } from '../src/index.js'

const LEVELS = [1, 16, 64, 256]
const ROUNDS = 3
const REQUESTS_PER_ROUND = 512

/** A bare SSE server sending 20 small pre-serialized chunks, `[DONE]`, end. */
async function startBaseline(): Promise<{ url: string; server: Server }> {
  const chunks = Array.from(
    { length: 20 },
    (_, i) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `t${i}` }, token_ids: [i] }] })}\n\n`
  )
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const chunk of chunks) res.write(chunk)
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, server }
}

const body = JSON.stringify({
  model: 'Qwen/Qwen3-8B',
  messages: [{ role: 'user', content: 'Say hi' }],
  stream: true,
  stream_options: { include_usage: true },
  return_token_ids: true,
  chat_template_kwargs: { enable_thinking: false },
})

async function run(url: string, concurrency: number, total: number): Promise<number> {
  let next = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      const text = await res.text()
      if (!text.endsWith('data: [DONE]\n\n')) throw new Error('stream did not finish')
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return total / ((performance.now() - started) / 1000)
}

async function main(): Promise<void> {
  const baseline = await startBaseline()
  const mock = await startMockVLLM()
  const mockUrl = `${mock.baseUrl}/chat/completions`
  await run(mockUrl, 8, 64) // warm-up (tokenizer, JIT)
  await run(baseline.url, 8, 64)
  mock.requests.length = 0
  console.log('concurrency | mock req/s | baseline req/s | mock/baseline')
  for (const level of LEVELS) {
    const m: number[] = []
    const b: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      m.push(await run(mockUrl, level, REQUESTS_PER_ROUND))
      b.push(await run(baseline.url, level, REQUESTS_PER_ROUND))
      mock.requests.length = 0 // keep the record from growing across rounds
    }
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0
    const [mm, bb] = [med(m), med(b)]
    console.log(
      `${String(level).padStart(11)} | ${mm.toFixed(0).padStart(10)} | ${bb.toFixed(0).padStart(14)} | ${(mm / bb).toFixed(2)}`
    )
  }
  await mock.close()
  await new Promise<void>((resolve) => baseline.server.close(() => resolve()))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
