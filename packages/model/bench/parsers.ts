/**
 * Client-side response parsers (token-in mode) on a ~20k-token Qwen3 response streamed the way vLLM's
 * `/v1/completions` streams it: one text piece per id (`skip_special_tokens`, characters completed by the id
 * that finishes them). Reports characters per second, nanoseconds per piece, and each configuration's time
 * as a ratio to the no-parser passthrough, interleaved round by round in one process.
 *
 *   pnpm exec tsx bench/parsers.ts        (ROUNDS=25 TOKENS=20000 to change the defaults)
 */
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { serverTextPieces } from '../src/parsers/__fixtures__/server-pieces.js'
import { createResponseParser, type ResponseParserOptions } from '../src/parsers/index.js'
import type { WireTool } from '../src/wire.js'

const ROUNDS = Number(process.env.ROUNDS ?? 25)
const TOKENS = Number(process.env.TOKENS ?? 20_000)

const tokenizer = loadQwen3Tokenizer()
const tools: WireTool[] = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      description: '',
      parameters: { type: 'object', properties: { path: { type: 'string' }, lines: { type: 'integer' } } },
    },
  },
]

const prose =
  'We compare the two plans step by step: the index on (user_id, created_at) serves the range scan, ' +
  'while the HAVING clause filters groups after aggregation — so the cost is dominated by the sort. 🤔 '
const hermesCall = (i: number) =>
  `<tool_call>\n{"name": "read_file", "arguments": {"path": "src/module_${i}.ts", "lines": ${i * 10}}}\n</tool_call>\n`
const coderCall = (i: number) =>
  `<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/module_${i}.ts\n</parameter>\n<parameter=lines>\n${i * 10}\n</parameter>\n</function>\n</tool_call>\n`

/** `<think>` reasoning, an answer, and 20 tool calls, cut to TOKENS ids. */
function response(call: (i: number) => string): number[] {
  const perProse = tokenizer.encode(prose).length
  const reasoning = prose.repeat(Math.floor((TOKENS * 0.6) / perProse))
  const answer = prose.repeat(Math.floor((TOKENS * 0.3) / perProse))
  const calls = Array.from({ length: 20 }, (_, i) => call(i)).join('')
  const ids = tokenizer.encode(`<think>\n${reasoning}\n</think>\n\n${answer}\n${calls}`)
  const filler = tokenizer.encode(prose)
  // Pad inside the answer so the tool calls stay whole and last.
  const cut = tokenizer.encode(`<think>\n${reasoning}\n</think>\n\n${answer}`).length
  while (ids.length < TOKENS) ids.splice(cut, 0, ...filler.slice(0, TOKENS - ids.length))
  return ids
}

const hermesPieces = serverTextPieces(tokenizer, response(hermesCall))
const coderPieces = serverTextPieces(tokenizer, response(coderCall))
const chars = (pieces: readonly string[]) => pieces.reduce((n, p) => n + p.length, 0)

interface Config {
  label: string
  options: ResponseParserOptions
  pieces: readonly string[]
}
const configs: Config[] = [
  { label: 'no parser (passthrough)', options: {}, pieces: hermesPieces },
  { label: 'qwen3', options: { reasoning: 'qwen3' }, pieces: hermesPieces },
  { label: 'qwen3 + hermes', options: { reasoning: 'qwen3', tools: 'hermes' }, pieces: hermesPieces },
  { label: 'qwen3 + qwen3_coder', options: { reasoning: 'qwen3', tools: 'qwen3_coder' }, pieces: coderPieces },
]

function once(config: Config): { ms: number; calls: number } {
  const start = performance.now()
  const parser = createResponseParser(config.options, { tools, thinking: true })
  let calls = 0
  for (const piece of config.pieces) {
    for (const delta of parser.push(piece)) if (delta.tool_calls) calls++
  }
  for (const delta of parser.finish()) if (delta.tool_calls) calls++
  return { ms: performance.now() - start, calls }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

for (const config of configs) for (let i = 0; i < 5; i++) once(config) // warm-up (JIT)
const samples = configs.map(() => [] as number[])
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < configs.length; k++) {
    const index = (round + k) % configs.length
    samples[index]!.push(once(configs[index]!).ms)
  }
}

console.log(
  `response: ${hermesPieces.length} ids (${chars(hermesPieces)} chars hermes, ${chars(coderPieces)} chars qwen3_coder), one piece per id, ${ROUNDS} interleaved rounds`
)
const base = median(samples[0]!)
configs.forEach((config, i) => {
  const ms = median(samples[i]!)
  const { calls } = once(config)
  console.log(
    `${config.label.padEnd(24)} median ${ms.toFixed(2).padStart(7)} ms  ${(((chars(config.pieces) / ms) * 1000) / 1e6).toFixed(1).padStart(6)} M chars/s  ${((ms * 1e6) / config.pieces.length).toFixed(0).padStart(5)} ns/piece  ×${(ms / base).toFixed(2)} passthrough  (${calls} calls)`
  )
})
