/**
 * Token-in's client cost against chat mode, the mock vLLM in another process (this process's CPU clock is the
 * client alone), rounds interleaved, medians. Each round measures a conversation's *second* call (the steady state:
 * previous prompt + sampled ids + one bridge) after the same unmeasured first call, on a thinking answer (reasoning
 * and content, which token-in parses on the client and chat mode has parsed by the server):
 *
 *  (d) client CPU per streamed token, ids + logprobs: token-in (server renderer, `/tokenize`) ÷ chat mode, and
 *      token-in with the local renderer (`loadQwen3Tokenizer()`) ÷ chat mode. The responses reach the client
 *      through a replaying proxy (`BUFFERED=1` in mock-process.ts), so after the warm-up round both endpoints
 *      deliver at full speed: the mock computes a completions stream with logprobs several times slower than a chat
 *      stream, and a client that waits seconds runs extra background GC cycles, which the process clock counts.
 *  (d') the same live-streamed (no proxy) without logprobs, where both mock endpoints stream equally fast.
 *  (e) HTTP round trips per call: chat 1; token-in's first call and every later one (counted by the client's fetch).
 *
 *   pnpm --filter @strands-vllm/model bench     (ROUNDS=15 TOKENS=20000 INTERVAL=1 to change the defaults)
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Message, type ModelStreamEvent, ReasoningBlock, TextBlock } from '@strands-agents/sdk'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import OpenAI from 'openai'
import { VLLMModel, type VLLMModelOptions, type VLLMResponseFields } from '../src/index.js'

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const MODEL_ID = 'Qwen/Qwen3-8B'

async function mockProcess(buffered: boolean): Promise<{ baseUrl: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./mock-process.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, OUTPUT: 'reasoning', BUFFERED: buffered ? '1' : '0' } }
  )
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve((JSON.parse(line) as { baseUrl: string }).baseUrl))
    child.once('exit', (code) => reject(new Error(`mock process exited with ${code}`)))
  })
  return { baseUrl, stop: () => child.stdin!.end() }
}

const tokenizer = loadQwen3Tokenizer()
const user = (text: string) => new Message({ role: 'user', content: [new TextBlock(text)] })
const first = [user('Recite the words.')]

/** Drains one call; returns its ids and the assistant message the agent would append. */
async function drain(model: VLLMModel, messages: Message[]): Promise<{ ids: number; reply: Message }> {
  let ids = 0
  let reasoning = ''
  let text = ''
  for await (const event of model.stream(messages) as AsyncIterable<ModelStreamEvent>) {
    if (event.type === 'modelContentBlockDeltaEvent') {
      if (event.delta.type === 'reasoningContentDelta') reasoning += event.delta.text ?? ''
      else if (event.delta.type === 'textDelta') text += event.delta.text
    }
    if (event.type === 'modelMessageStopEvent') {
      const fields = event.additionalModelResponseFields as unknown as VLLMResponseFields
      if (fields.tito.status !== 'exact') throw new Error(`not exact: ${JSON.stringify(fields.tito.reasons)}`)
      ids = fields.tokenIds?.length ?? 0
    }
  }
  const content = [...(reasoning ? [new ReasoningBlock({ text: reasoning })] : []), new TextBlock(text)]
  return { ids, reply: new Message({ role: 'assistant', content }) }
}

interface Sample {
  cpuMs: number
  ids: number
  firstCallRequests: number
  requests: number
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(baseUrl: string, logprobs: boolean): Promise<Record<string, Sample[]>> {
  let requests = 0
  const client = new OpenAI({
    baseURL: baseUrl,
    apiKey: 'EMPTY',
    maxRetries: 0,
    // Counts HTTP round trips; the request itself is the platform's fetch, untouched.
    fetch: (input, init) => {
      requests++
      return fetch(input, init)
    },
  })
  const options = (extra: Partial<VLLMModelOptions>): VLLMModelOptions => ({
    client,
    modelId: MODEL_ID,
    returnTokenIds: true,
    logprobs,
    temperature: 1,
    eosTokenIds: [151645, 151643],
    ...extra,
  })
  const chat = new VLLMModel(options({}))
  const second = [...first, (await drain(chat, first)).reply, user('Again, please.')]
  async function measured(model: VLLMModel): Promise<Sample> {
    const start = requests
    await drain(model, first)
    const firstCallRequests = requests - start
    const at = requests
    const cpu = process.cpuUsage()
    const { ids } = await drain(model, second)
    const used = process.cpuUsage(cpu)
    return { cpuMs: (used.user + used.system) / 1000, ids, firstCallRequests, requests: requests - at }
  }
  // Every runner makes the same unmeasured first call, so each measured call has the same garbage behind it.
  const runners: Record<string, () => Promise<Sample>> = {
    chat: () => measured(chat),
    tokenInServer: () => measured(new VLLMModel(options({ tokenIn: true }))),
    tokenInLocal: () => measured(new VLLMModel(options({ tokenIn: { tokenizer } }))),
  }
  const names = Object.keys(runners)
  for (const name of names) await runners[name]!()
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!
      samples[name]!.push(await runners[name]!())
    }
  }
  return samples
}

function report(label: string, samples: Record<string, Sample[]>): void {
  const perToken = (name: string): number => median(samples[name]!.map((s) => (s.cpuMs * 1000) / s.ids))
  const [chat, server, local] = [perToken('chat'), perToken('tokenInServer'), perToken('tokenInLocal')]
  console.log(
    `${label} client CPU per streamed token: chat ${chat.toFixed(2)} µs | token-in (server renderer) ` +
      `${server.toFixed(2)} µs | token-in (local renderer) ${local.toFixed(2)} µs  →  token-in/chat ` +
      `${(server / chat).toFixed(3)} (server), ${(local / chat).toFixed(3)} (local)`
  )
}

const buffered = await mockProcess(true)
const withLogprobs = await measure(buffered.baseUrl, true)
buffered.stop()
const live = await mockProcess(false)
const withoutLogprobs = await measure(live.baseUrl, false)
live.stop()

const ids = withLogprobs.chat![0]!.ids
console.log(`token-in: a conversation's second call, ${ids} streamed ids (reasoning + content), ${ROUNDS} rounds`)
report('(d)  ids + logprobs, buffered delivery:', withLogprobs)
report("(d') ids, live stream:", withoutLogprobs)
const trips = (name: string, key: 'firstCallRequests' | 'requests'): number =>
  median(withLogprobs[name]!.map((s) => s[key]))
console.log(
  `(e)  HTTP round trips per call: chat ${trips('chat', 'requests')} | token-in (server renderer): first call ` +
    `${trips('tokenInServer', 'firstCallRequests')} (the dummy prefix's /tokenize runs beside the first rendering), ` +
    `then ${trips('tokenInServer', 'requests')} per call  →  ${trips('tokenInServer', 'requests') - 1} extra per ` +
    `call after the first | token-in (local renderer): ${trips('tokenInLocal', 'firstCallRequests')} (+ GET /v1/models ` +
    `once, for max_tokens), then ${trips('tokenInLocal', 'requests')}`
)
