/**
 * Streaming overhead of VLLMModel (ids + logprobs on) against the raw `openai` client and
 * the SDK's own OpenAIModel (`api: 'chat'`), all reading the same ~20k-token response from
 * the mock vLLM server in this process, interleaved round by round.
 *
 * Two clocks per run: wall time, and this process's CPU time (user + system), which other
 * load on a shared machine does not inflate. Both include the in-process server's work, which
 * is identical for all three paths, so the ratios understate the client-side difference.
 *
 *   pnpm bench            (ROUNDS=15 TOKENS=20000 INTERVAL=1 to change the defaults)
 */
import { Message, TextBlock } from '@strands-agents/sdk'
import { OpenAIModel } from '@strands-agents/sdk/models/openai'
import { startMockVLLM } from '@strands-vllm/mock-server'
import OpenAI from 'openai'
import { VLLMModel, type VLLMResponseFields } from '../src/index.js'

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const TOKENS = Number(process.env.TOKENS ?? 20_000)
const INTERVAL = Number(process.env.INTERVAL ?? 1)
const MODEL_ID = 'Qwen/Qwen3-8B'

const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
const content = Array.from({ length: TOKENS }, (_, i) => ` ${words[i % words.length]}`).join('')

const server = await startMockVLLM({ policy: () => ({ content }), streamInterval: INTERVAL })
const messages = [new Message({ role: 'user', content: [new TextBlock('Recite the words.')] })]
const params = { return_token_ids: true, logprobs: true, temperature: 1 }

const raw = new OpenAI({ baseURL: server.baseUrl, apiKey: 'EMPTY', maxRetries: 0 })
const vllm = new VLLMModel({
  baseUrl: server.baseUrl,
  modelId: MODEL_ID,
  returnTokenIds: true,
  logprobs: true,
  temperature: 1,
})
const sdk = new OpenAIModel({
  api: 'chat',
  modelId: MODEL_ID,
  apiKey: 'EMPTY',
  clientConfig: { baseURL: server.baseUrl, maxRetries: 0 },
  params: { return_token_ids: true, logprobs: true },
  temperature: 1,
})

type Runner = () => Promise<number>

const runners: Record<'raw' | 'vllm' | 'sdk', Runner> = {
  async raw() {
    const stream = await raw.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: 'user', content: 'Recite the words.' }],
      stream: true,
      stream_options: { include_usage: true },
      ...params,
    } as OpenAI.ChatCompletionCreateParamsStreaming)
    let chunks = 0
    for await (const _ of stream) chunks++
    return chunks
  },
  async vllm() {
    let ids = 0
    for await (const event of vllm.stream(messages)) {
      if (event.type === 'modelMessageStopEvent') {
        const fields = event.additionalModelResponseFields as unknown as VLLMResponseFields
        if (fields.tito.status !== 'exact') throw new Error(`capture not exact: ${JSON.stringify(fields.tito.reasons)}`)
        ids = fields.tokenIds?.length ?? 0
      }
    }
    return ids
  },
  async sdk() {
    let events = 0
    for await (const _ of sdk.stream(messages)) events++
    return events
  },
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

// Warm up every path (JIT, connection pools, tokenizer caches).
for (const run of Object.values(runners)) await run()
const ids = await runners.vllm()
console.log(`response: ${ids} token ids, streamInterval ${INTERVAL}, ${ROUNDS} interleaved rounds`)

const samples: Record<keyof typeof runners, Sample[]> = { raw: [], vllm: [], sdk: [] }
const order: (keyof typeof runners)[] = ['raw', 'vllm', 'sdk']
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no path always runs first.
  for (let k = 0; k < order.length; k++) {
    const name = order[(round + k) % order.length]!
    samples[name].push(await time(runners[name]))
  }
}

for (const clock of ['wallMs', 'cpuMs'] as const) {
  const m = {
    raw: median(samples.raw.map((x) => x[clock])),
    vllm: median(samples.vllm.map((x) => x[clock])),
    sdk: median(samples.sdk.map((x) => x[clock])),
  }
  console.log(
    `${clock === 'wallMs' ? 'wall' : 'cpu '} median ms  raw openai ${m.raw.toFixed(1)} | VLLMModel ${m.vllm.toFixed(1)} | SDK OpenAIModel ${m.sdk.toFixed(1)}` +
      `  →  VLLMModel/raw ${(m.vllm / m.raw).toFixed(3)} (target ≤ 1.10), VLLMModel/OpenAIModel ${(m.vllm / m.sdk).toFixed(3)} (target ≤ 1.00)`
  )
}
await server.close()
