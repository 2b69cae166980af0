/**
 * Client cost of VLLMModel (ids + logprobs on), measured with the mock vLLM in another process (so this
 * process's CPU clock is the client alone), rounds interleaved, medians:
 *
 *  (a) streaming: VLLMModel ÷ the floor (fetch + split the SSE body + JSON.parse every event, nothing else)
 *      and ÷ the raw `openai` client iterating the same stream;
 *  (b) the SSE parser alone on one 1 / 16 / 32 MB event (a long prompt's ids), ÷ JSON.parse of that payload:
 *      linear means the ratio stays flat as the event grows;
 *  (c) non-streaming (`stream: false`): VLLMModel ÷ the raw `openai` client's non-streaming call.
 *
 *   pnpm --filter @strands-vllm/model bench     (ROUNDS=15 TOKENS=20000 INTERVAL=1 to change the defaults)
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Message, TextBlock } from '@strands-agents/sdk'
import OpenAI from 'openai'
import { VLLMModel, type VLLMResponseFields } from '../src/index.js'
import { readSSEBatches } from '../src/wire/sse-batches.js'

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const MODEL_ID = 'Qwen/Qwen3-8B'

const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./mock-process.ts', import.meta.url))],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  }
)
const baseUrl = await new Promise<string>((resolve, reject) => {
  const lines = createInterface({ input: child.stdout! })
  lines.once('line', (line) => resolve((JSON.parse(line) as { baseUrl: string }).baseUrl))
  child.once('exit', (code) => reject(new Error(`mock process exited with ${code}`)))
})

const question = 'Recite the words.'
const messages = [new Message({ role: 'user', content: [new TextBlock(question)] })]
const body = (stream: boolean) => ({
  model: MODEL_ID,
  messages: [{ role: 'user', content: question }],
  stream,
  ...(stream ? { stream_options: { include_usage: true } } : {}),
  return_token_ids: true,
  logprobs: true,
  temperature: 1,
})

const raw = new OpenAI({ baseURL: baseUrl, apiKey: 'EMPTY', maxRetries: 0 })
const model = (stream: boolean) =>
  new VLLMModel({ baseUrl, modelId: MODEL_ID, returnTokenIds: true, logprobs: true, temperature: 1, stream })
const vllmStream = model(true)
const vllmJson = model(false)

async function drainModel(m: VLLMModel): Promise<number> {
  let ids = 0
  for await (const event of m.stream(messages)) {
    if (event.type === 'modelMessageStopEvent') {
      const fields = event.additionalModelResponseFields as unknown as VLLMResponseFields
      if (fields.tito.status !== 'exact') throw new Error(`capture not exact: ${JSON.stringify(fields.tito.reasons)}`)
      ids = fields.tokenIds?.length ?? 0
    }
  }
  return ids
}

type Runner = () => Promise<unknown>
const streaming: Record<string, Runner> = {
  /** The least any client must do: read the body, cut it into events, JSON.parse each. */
  async floor() {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer EMPTY' },
      body: JSON.stringify(body(true)),
    })
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    let chunks = 0
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let start = 0
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n', start)) {
        const data = buffer.slice(start + 6, end)
        start = end + 2
        if (data !== '[DONE]') {
          JSON.parse(data)
          chunks++
        }
      }
      buffer = buffer.slice(start)
    }
    return chunks
  },
  async raw() {
    const stream = await raw.chat.completions.create(body(true) as OpenAI.ChatCompletionCreateParamsStreaming)
    let chunks = 0
    for await (const _ of stream) chunks++
    return chunks
  },
  vllm: () => drainModel(vllmStream),
}
const nonStreaming: Record<string, Runner> = {
  async floor() {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer EMPTY' },
      body: JSON.stringify(body(false)),
    })
    return JSON.parse(await response.text())
  },
  raw: () => raw.chat.completions.create(body(false) as OpenAI.ChatCompletionCreateParamsNonStreaming),
  vllm: () => drainModel(vllmJson),
}

interface Sample {
  wallMs: number
  cpuMs: number
}

async function time(run: Runner): Promise<Sample> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await run()
  const wallMs = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { wallMs, cpuMs: (used.user + used.system) / 1000 }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function interleaved(runners: Record<string, Runner>): Promise<Record<string, Sample>> {
  const names = Object.keys(runners)
  for (const name of names) await runners[name]!()
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no path always runs first.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!
      samples[name]!.push(await time(runners[name]!))
    }
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      { wallMs: median(samples[n]!.map((s) => s.wallMs)), cpuMs: median(samples[n]!.map((s) => s.cpuMs)) },
    ])
  )
}

const ids = await drainModel(vllmStream)
console.log(`response: ${ids} token ids, streamInterval ${process.env.INTERVAL ?? 1}, ${ROUNDS} interleaved rounds`)

const s = await interleaved(streaming)
const perToken = (ms: number): string => `${((ms * 1000) / ids).toFixed(2)} µs/token`
console.log(
  `(a) streaming client CPU: floor ${perToken(s.floor!.cpuMs)} | raw openai ${perToken(s.raw!.cpuMs)} | ` +
    `VLLMModel ${perToken(s.vllm!.cpuMs)}  →  VLLMModel/floor ${(s.vllm!.cpuMs / s.floor!.cpuMs).toFixed(3)}, ` +
    `VLLMModel/raw openai ${(s.vllm!.cpuMs / s.raw!.cpuMs).toFixed(3)}`
)

const n = await interleaved(nonStreaming)
console.log(
  `(c) non-streaming client CPU: floor ${n.floor!.cpuMs.toFixed(1)} ms | raw openai ${n.raw!.cpuMs.toFixed(1)} ms | ` +
    `VLLMModel ${n.vllm!.cpuMs.toFixed(1)} ms  →  VLLMModel/raw openai ${(n.vllm!.cpuMs / n.raw!.cpuMs).toFixed(3)}, ` +
    `VLLMModel/floor ${(n.vllm!.cpuMs / n.floor!.cpuMs).toFixed(3)}`
)

child.stdin!.end()

/** One SSE event carrying `megabytes` of prompt ids, cut into 64 KB network reads. */
function bigEvent(megabytes: number): { parts: Uint8Array[]; payload: string } {
  const ids: number[] = []
  let length = 20
  while (length < megabytes * 1_000_000) {
    const id = (ids.length * 7919) % 151_000
    ids.push(id)
    length += String(id).length + 1
  }
  const payload = JSON.stringify({ prompt_token_ids: ids })
  const bytes = new TextEncoder().encode(`data: ${payload}\n\n`)
  const parts: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += 65_536) parts.push(bytes.subarray(i, i + 65_536))
  return { parts, payload }
}

console.log('(b) SSE parser on one large event (64 KB reads), CPU ms, median of 5:')
for (const mb of [1, 16, 32]) {
  const { parts, payload } = bigEvent(mb)
  const parse: number[] = []
  const floor: number[] = []
  for (let r = 0; r < 5; r++) {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p)
        controller.close()
      },
    })
    parse.push(
      (
        await time(async () => {
          for await (const batch of readSSEBatches(stream)) for (const data of batch) JSON.parse(data)
        })
      ).cpuMs
    )
    floor.push((await time(async () => JSON.parse(payload))).cpuMs)
  }
  const p = median(parse)
  const f = median(floor)
  console.log(
    `    ${String(mb).padStart(2)} MB: readSSEBatches + JSON.parse ${p.toFixed(1)} ms (${(p / mb).toFixed(1)} ms/MB) | ` +
      `JSON.parse alone ${f.toFixed(1)} ms  →  ratio ${(p / f).toFixed(2)}`
  )
}
