/**
 * A multi-turn calculator rollout turned into RL training data: the recorder's per-call ids
 * become prefix-checked trajectories (prompt context mask 0, sampled tokens mask 1), written
 * as canonical JSONL (one line per call) and as verl agent-loop rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { calculatorPolicy, connectOrStartMockVLLM, evaluateArithmetic } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import {
  buildTrajectoriesAsync,
  toVerlRows,
  VLLMTokenRecorder,
  vllmDetokenizer,
  writeTitoJsonl,
} from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { z } from 'zod'

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression.',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

const target = await connectOrStartMockVLLM({ policy: calculatorPolicy() })
console.log(`server: ${target.description}`)
const recorder = new VLLMTokenRecorder({ rolloutId: 'calc-0' })
try {
  const agent = new Agent({
    model: new VLLMModel({
      baseUrl: target.baseUrl,
      modelId: target.modelId,
      apiKey: target.apiKey,
      returnTokenIds: true,
      logprobs: true,
      // Every sampling parameter explicit: vLLM fills omitted ones from the model's generation_config.json.
      temperature: 1,
      topP: 1,
      maxTokens: 1024,
      params: { top_k: -1, min_p: 0, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 },
    }),
    tools: [calculator],
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  await agent.invoke('What is 12 * 34?')
  await agent.invoke('Now add 58 to 408.')
} finally {
  await target.close()
}

console.log('--- model calls (recorder.history) ---')
for (const call of recorder.history) {
  console.log(
    `call ${call.callIndex} (invocation ${call.invocationIndex}): prompt ${call.promptTokenIds?.length ?? 0} ids, ` +
      `response ${call.tokenIds?.length ?? 0} ids, ${call.status}, finish_reason=${call.finishReason}` +
      (call.toolUses.length ? `, tools: ${call.toolUses.map((t) => t.name).join(', ')}` : '')
  )
}

// Offline we decode with the shipped Qwen3 tokenizer; against a real server, with its own /detokenize.
const decoder =
  target.kind === 'mock' ? loadQwen3Tokenizer() : vllmDetokenizer({ baseUrl: target.baseUrl, model: target.modelId })
const { trajectories, divergences, excluded } = await buildTrajectoriesAsync(recorder.history, { decoder })

for (const trajectory of trajectories) {
  const mask = trajectory.lossMask
  const ones = mask.reduce((n, m) => n + m, 0)
  console.log(
    `--- RL Trajectory ${trajectory.index} (from vLLM token IDs; calls ${trajectory.callIndices.join(', ')}) ---`
  )
  console.log(`Total tokens:     ${trajectory.length}`)
  console.log(`Loss mask:        ${ones} trainable (1), ${mask.length - ones} context (0)`)
  console.log(`Segments:         ${trajectory.segments.length}`)
  for (const [i, segment] of trajectory.segments.entries()) {
    const kind = segment.kind === 'response' ? 'Response' : 'Prompt'
    console.log(`  Seg ${i}: ${String(segment.length).padStart(5)} ${kind} (call ${segment.callIndex})`)
  }
}
for (const d of divergences) {
  console.log(`split before call ${d.callIndex}: prompt diverged at index ${d.index}, cause ${d.cause}`)
}
if (excluded.length) console.log(`excluded calls: ${excluded.map((e) => `${e.callIndex} (${e.status})`).join(', ')}`)

const outDir = join(process.cwd(), 'out')
mkdirSync(outDir, { recursive: true })
const jsonlPath = join(outDir, 'calls.jsonl')
const verlPath = join(outDir, 'verl-rows.json')
await writeTitoJsonl(jsonlPath, recorder.history)
writeFileSync(verlPath, `${JSON.stringify(toVerlRows(trajectories, { reward: 1 }), null, 2)}\n`)
console.log(`wrote ${recorder.history.length} calls to ${jsonlPath}`)
console.log(`wrote ${trajectories.length} verl rows to ${verlPath}`)
