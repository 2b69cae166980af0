/**
 * Building trajectories from 1,000 recorded calls with ~8k-token prompts (100 rollouts × 10 calls,
 * each prompt extending the previous prompt + response), against a naive `number[]` + `concat`
 * builder measured side by side, interleaved, in the same process.
 *
 *   pnpm bench   (node --expose-gc --import tsx bench/build-trajectories.ts)
 */
import { buildTrajectories, type TitoCallRecord } from '../src/index.js'
import { exactCall } from '../src/testing/exact-call.js'

const ROLLOUTS = 100
const CALLS = 10
const PROMPT = 8_000
const ROUNDS = 7

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0
    return s / 2 ** 32
  }
}

function makeRollout(seed: number): TitoCallRecord[] {
  const r = rng(seed)
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 150_000))
  const calls: TitoCallRecord[] = []
  let prompt = ids(PROMPT)
  for (let k = 0; k < CALLS; k++) {
    const response = [...ids(40 + Math.floor(r() * 80)), 151645]
    calls.push(exactCall(k, prompt, response, { logprobs: response.map(() => -r()) }))
    prompt = [...prompt, ...response, 198, ...ids(20 + Math.floor(r() * 40))]
  }
  return calls
}

/** The straightforward port: plain arrays, prefix check by loop, `concat` per segment. */
function naiveBuild(calls: readonly TitoCallRecord[]) {
  const out: Array<{ ids: number[]; mask: number[]; logprobs: Array<number | null> }> = []
  let cur: { ids: number[]; mask: number[]; logprobs: Array<number | null> } | undefined
  for (const c of calls) {
    const p = c.promptTokenIds!
    const resp = c.tokenIds!
    let extends_ = cur !== undefined && p.length >= cur.ids.length
    if (cur && extends_) for (let i = 0; i < cur.ids.length; i++) if (cur.ids[i] !== p[i]) extends_ = false
    if (!cur || !extends_) {
      cur = { ids: [...p], mask: p.map(() => 0), logprobs: p.map(() => null) }
      out.push(cur)
    } else {
      const suffix = p.slice(cur.ids.length)
      cur.ids = cur.ids.concat(suffix)
      cur.mask = cur.mask.concat(suffix.map(() => 0))
      cur.logprobs = cur.logprobs.concat(suffix.map(() => null))
    }
    cur.ids = cur.ids.concat(resp)
    cur.mask = cur.mask.concat(resp.map(() => 1))
    cur.logprobs = cur.logprobs.concat(c.logprobs!)
  }
  return out
}

const gc = (globalThis as { gc?: () => void }).gc
const heap = (): number => {
  // Twice: the first pass can leave ArrayBuffer backing stores for a later one.
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
}

const rollouts = Array.from({ length: ROLLOUTS }, (_, i) => makeRollout(i + 1))
const totalPromptIds = rollouts.flat().reduce((n, c) => n + c.promptTokenIds!.length, 0)

function runOurs() {
  return rollouts.map((calls) => buildTrajectories(calls).trajectories)
}
function runNaive() {
  return rollouts.map((calls) => naiveBuild(calls))
}

// Warm up both.
runOurs()
runNaive()

const times: { ours: number[]; naive: number[] } = { ours: [], naive: [] }
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['ours', 'naive'] as const) : (['naive', 'ours'] as const)
  for (const which of order) {
    gc?.()
    const t0 = performance.now()
    const result = which === 'ours' ? runOurs() : runNaive()
    times[which].push(performance.now() - t0)
    if (result.length !== ROLLOUTS) throw new Error('unexpected result')
  }
}

// Memory: bytes retained per stored token = heap freed when one full build's result is dropped.
function retained<T>(build: () => T, count: (result: T) => number): { bytes: number; tokens: number } {
  let result: T | undefined = build()
  const tokens = count(result)
  const held = heap()
  result = undefined
  return { bytes: held - heap(), tokens }
}
const oursMem = retained(runOurs, (r) => r.flat().reduce((n, t) => n + t.length, 0))
const oursTyped = runOurs()
  .flat()
  .reduce((n, t) => n + t.tokens.byteSize, 0)
const naiveMem = retained(runNaive, (r) => r.flat().reduce((n, t) => n + t.ids.length, 0))
const oursTokens = oursMem.tokens
const oursBytes = oursMem.bytes
const naiveBytes = naiveMem.bytes
const naiveTokens = naiveMem.tokens

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const mo = median(times.ours)
const mn = median(times.naive)
const fmt = (x: number) => x.toFixed(1)
console.log(
  `calls: ${ROLLOUTS * CALLS} (${ROLLOUTS} rollouts × ${CALLS}), prompt ids scanned: ${totalPromptIds.toLocaleString()}`
)
console.log(`trajectories: ${ROLLOUTS}, stored tokens: ${oursTokens.toLocaleString()}`)
console.log(`time (median of ${ROUNDS}, interleaved): buildTrajectories ${fmt(mo)} ms, naive ${fmt(mn)} ms`)
console.log(
  `  ratio naive / ours = ${(mn / mo).toFixed(2)}x   (per call: ${fmt((mo * 1000) / (ROLLOUTS * CALLS))} µs ours)`
)
console.log(
  `bytes per stored token: ours ${(oursBytes / oursTokens).toFixed(1)} (typed buffers ${(oursTyped / oursTokens).toFixed(1)}, ` +
    `13 at exact fit), naive ${(naiveBytes / naiveTokens).toFixed(1)}  → ratio ${(naiveBytes / naiveTokens / (oursBytes / oursTokens)).toFixed(2)}x`
)
if (!gc) console.log('(run with node --expose-gc for stable memory figures)')
