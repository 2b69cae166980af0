/**
 * Agent Lightning v0.x: the agent exports OpenTelemetry spans to the LightningStore, whose `TracerTraceToTriplet`
 * adapter turns the spans named `openai.chat.completion` into training triplets. This rollout exports OTLP
 * protobuf (the store refuses JSON), stamps every span with the rollout's `agentlightning.rollout_id` /
 * `attempt_id` (the store drops spans without them), emits the reward span after the last model call, and fails
 * loudly (one line, exit 1) when the store refuses the export.
 *
 * AGL_STORE_URL (+ AGL_ROLLOUT_ID, AGL_ATTEMPT_ID from the store's start_rollout) exports to a real v0.x store;
 * without it the store stand-in runs in this process. VLLM_BASE_URL selects a real vLLM (default: the mock).
 */
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { AglExportError, type AglRolloutIds, emitAglReward, withAglRollout } from '@strands-vllm/agent-lightning'
import { setupAglTracing } from '@strands-vllm/agent-lightning/otlp'
import { type AglStore, startAglStore } from '@strands-vllm/agl-store'
import { calculatorPolicy, connectOrStartMockVLLM, evaluateArithmetic } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { toAgentLightningTriplets, VLLMTokenRecorder } from '@strands-vllm/tito'
import { z } from 'zod'

const AGENT_NAME = 'calculator-agent'
const QUESTION = 'What is 12 * 34?'
const ANSWER = 408

const storeUrl = process.env.AGL_STORE_URL
let store: AglStore | undefined
let ids: AglRolloutIds
if (storeUrl) {
  const { AGL_ROLLOUT_ID: rolloutId, AGL_ATTEMPT_ID: attemptId } = process.env
  if (!rolloutId || !attemptId) {
    console.error(
      'AGL_STORE_URL is set but AGL_ROLLOUT_ID / AGL_ATTEMPT_ID are not: give the ids the store returned from ' +
        'start_rollout (spans without them are dropped by the store)'
    )
    process.exit(2)
  }
  ids = { rolloutId, attemptId }
} else {
  store = await startAglStore()
  ids = store.startRollout({ input: { question: QUESTION } })
}

const memory = new InMemorySpanExporter()
const tracing = setupAglTracing({
  storeUrl: storeUrl ?? (store as AglStore).url,
  processors: [new SimpleSpanProcessor(memory)],
})
const target = await connectOrStartMockVLLM({ policy: calculatorPolicy() })
console.log(`server: ${target.description}`)
console.log(`store: ${storeUrl ? tracing.tracesUrl : `in-process v0.x store stand-in (${tracing.tracesUrl})`}`)
console.log(`rollout ${ids.rolloutId} attempt ${ids.attemptId}`)

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression.',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

// The recorder opens one `openai.chat.completion` span per call under this rollout's agent span
// (`spanTracker: tracing.spans`); non-exact calls are renamed so the adapter never trains on them.
const recorder = new VLLMTokenRecorder({ spanTracker: tracing.spans, rolloutId: ids.rolloutId })
let reward = 0
try {
  const agent = new Agent({
    name: AGENT_NAME,
    // What the adapter's agent_match reads (Strands itself writes gen_ai.agent.name).
    traceAttributes: { 'agent.name': AGENT_NAME },
    model: new VLLMModel({
      baseUrl: target.baseUrl,
      modelId: target.modelId,
      apiKey: target.apiKey,
      returnTokenIds: true,
      logprobs: true,
      // Every sampling parameter explicit: vLLM fills omitted ones from the model's generation_config.json.
      temperature: 1,
      topP: 1,
      maxTokens: 512,
      params: { top_k: -1, min_p: 0, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 },
    }),
    tools: [calculator],
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  await withAglRollout(ids, async () => {
    const result = await agent.invoke(QUESTION)
    reward = result.toString().includes(String(ANSWER)) ? 1 : 0
    // After the invocation: the reward attaches to the latest call that ended before it.
    emitAglReward(reward)
  })
} finally {
  await target.close()
}

try {
  await tracing.flush()
} catch (error) {
  if (!AglExportError.isInstance(error)) throw error
  console.error(`agent-lightning-spans: the store refused the spans: ${error.message}`)
  await tracing.shutdown().catch(() => undefined)
  await store?.close()
  process.exit(1)
}

// Read before shutdown (which empties the in-memory exporter).
const finished = memory.getFinishedSpans()
const preview = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.slice(0, 6).join(', ')}${value.length > 6 ? `, … (${value.length})` : ''}]`
  const text = String(value)
  return text.length > 90 ? `${text.slice(0, 90)}… (${text.length} chars)` : text
}
const parentName = (span: ReadableSpan): string =>
  finished.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId)?.name ?? 'none'
const callSpans = finished.filter((s) => s.name === 'openai.chat.completion')
console.log(`exported ${finished.length} span(s), all stamped: ${tracing.spans.unstampedSpans === 0 ? 'yes' : 'NO'}`)
console.log(`exported ${callSpans.length} per-call span(s) named openai.chat.completion`)
for (const [i, span] of callSpans.entries()) {
  console.log(`--- span ${i} (parent: ${parentName(span)}) ---`)
  for (const key of [
    'agentlightning.rollout_id',
    'prompt_token_ids',
    'response_token_ids',
    'gen_ai.response.id',
    'logprobs.content',
    'llm.hosted_vllm.prompt_token_ids',
    'llm.hosted_vllm.response_token_ids',
    'tito.status',
  ]) {
    console.log(`  ${key.padEnd(36)} ${preview(span.attributes[key])}`)
  }
}
const annotation = finished.find((s) => s.name === 'agentlightning.annotation')
console.log(
  `reward span: agentlightning.annotation ${annotation?.attributes['agentlightning.reward.0.name']}=` +
    `${annotation?.attributes['agentlightning.reward.0.value']} (parent: ${annotation ? parentName(annotation) : 'none'})`
)

await tracing.shutdown()
if (store) {
  // What the v0.x trainer does next: query the rollout's spans and adapt them into triplets.
  const stored = store.querySpans(ids.rolloutId)
  console.log(`store: ${stored.length} span(s) stored for the rollout, ${store.warnings.length} dropped`)
  const triplets = store.adapt(ids.rolloutId)
  const rewards = triplets.map((t) => String(t.reward)).join(', ')
  const onLast = triplets.at(-1)?.reward === reward && triplets.slice(0, -1).every((t) => t.reward === null)
  console.log(
    `adapter: ${triplets.length} triplet(s), rewards [${rewards}]${onLast ? ' (the reward is on the last call)' : ''}`
  )
  const own = toAgentLightningTriplets(recorder.history, { reward, agentName: AGENT_NAME })
  const key = (t: {
    prompt: { token_ids: number[] }
    response: { token_ids: number[]; logprobs?: unknown }
    reward: number | null
  }) => JSON.stringify([t.prompt.token_ids, t.response.token_ids, t.response.logprobs, t.reward])
  const same = triplets.length === own.length && triplets.every((t, i) => key(t) === key(own[i]!))
  console.log(`span path triplets equal toAgentLightningTriplets: ${same ? 'yes' : 'NO'}`)
  await store.close()
  if (!same) process.exitCode = 1
}
