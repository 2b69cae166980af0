/**
 * Scan throughput (sampled tokens/s) of `scanCalls` with the shipped pure-JS Qwen3 tokenizer, against
 * the bare decode → encode work done by the Rust `tokenizers` napi binding on the same responses.
 * Runs are interleaved in one process; each figure is the median of the rounds.
 *
 *   pnpm --filter @strands-vllm/drift bench            (ROUNDS=5 RESPONSES=2000 TOKENS=500 by default)
 */
import { loadQwen3Tokenizer, readQwen3Data } from '@strands-vllm/tokenizer'
import { Tokenizer as RustTokenizer } from 'tokenizers'
import type { AnalysisTokenizer } from '../src/analysis-tokenizer.js'
import { scanCalls } from '../src/analyze-calls.js'
import { syntheticCalls } from '../src/synthetic-calls.js'

const rounds = Number(process.env.ROUNDS ?? 5)
const responses = Number(process.env.RESPONSES ?? 2000)
const tokens = Number(process.env.TOKENS ?? 500)
const turns = 5

const js = loadQwen3Tokenizer()
const rust = RustTokenizer.fromString(readQwen3Data().tokenizerJson.toString('utf8'))
const calls = syntheticCalls(js, {
  rollouts: Math.ceil(responses / turns),
  turnsPerRollout: turns,
  tokensPerResponse: tokens,
  splitRate: 0.002,
  seed: 42,
})
const eos = new Set(js.eosTokenIds)
const responseIds = calls.map((c) => {
  const ids = c.tokenIds ?? []
  return eos.has(ids[ids.length - 1] as number) ? ids.slice(0, -1) : [...ids]
})
const totalTokens = responseIds.reduce((n, ids) => n + ids.length, 0)

/** The Rust binding behind the analysis interface, to separate engine cost from analysis cost. */
const rustAnalysis: AnalysisTokenizer = {
  name: 'rust-tokenizers',
  eosTokenIds: js.eosTokenIds,
  encode: async (text) => (await rust.encode(text, null, { addSpecialTokens: false })).getIds(),
  decode: (ids) => rust.decode([...ids], false),
  idToToken: (id) => rust.idToToken(id) ?? undefined,
  isSpecial: (id) => js.isSpecial(id),
}

async function rustRoundTrip(): Promise<number> {
  let drifted = 0
  for (const ids of responseIds) {
    const text = await rust.decode(ids, false)
    const again = (await rust.encode(text, null, { addSpecialTokens: false })).getIds()
    if (again.length !== ids.length || again.some((id, i) => id !== ids[i])) drifted++
  }
  return drifted
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

const summary = await scanCalls(calls, js)
const rustDrifted = await rustRoundTrip()
if (rustDrifted !== summary.responsesWithDrift) {
  throw new Error(`engines disagree: rust ${rustDrifted} drifted responses, js ${summary.responsesWithDrift}`)
}
console.log(
  `dataset: ${calls.length} responses, ${totalTokens} sampled tokens (mean ${Math.round(totalTokens / calls.length)}), ${summary.responsesWithDrift} drifted, ${summary.rerender.diverged} re-render breaks; ${rounds} interleaved rounds`
)

const times = { js: [] as number[], rust: [] as number[], jsBare: [] as number[], scanRust: [] as number[] }
for (let round = 0; round < rounds; round++) {
  times.js.push(await time(() => scanCalls(calls, js)))
  times.rust.push(await time(rustRoundTrip))
  times.jsBare.push(
    await time(async () => {
      for (const ids of responseIds) js.encode(js.decode(ids))
    })
  )
  times.scanRust.push(await time(() => scanCalls(calls, rustAnalysis)))
}

const rate = (seconds: number): string => `${Math.round(totalTokens / seconds).toLocaleString('en-US')} tok/s`
const rows: [string, number][] = [
  ['scanCalls, shipped JS tokenizer (the product)', median(times.js)],
  ['bare decode→encode, Rust tokenizers (baseline)', median(times.rust)],
  ['bare decode→encode, shipped JS tokenizer', median(times.jsBare)],
  ['scanCalls, Rust tokenizers plugged in', median(times.scanRust)],
]
for (const [label, seconds] of rows)
  console.log(`${label.padEnd(50)} ${rate(seconds).padStart(16)}  (${seconds.toFixed(3)} s)`)
const baseline = median(times.rust)
console.log(
  `ratio scanCalls(JS) / Rust decode→encode: ${(baseline / median(times.js)).toFixed(2)}× the baseline's throughput`
)
console.log(`ratio bare JS / bare Rust decode→encode:   ${(baseline / median(times.jsBare)).toFixed(2)}×`)
