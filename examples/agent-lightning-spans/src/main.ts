/**
 * Agent Lightning reads token ids from OpenTelemetry spans named `openai.chat.completion`
 * (`prompt_token_ids`, `response_token_ids`, `gen_ai.response.id`, `logprobs.content`).
 * `VLLMTokenRecorder` opens exactly one such span per model call under the rollout span;
 * this example prints what the exporter received. Set OTEL_EXPORTER_OTLP_ENDPOINT to also
 * export over OTLP/HTTP (e.g. http://localhost:4318).
 */
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { calculatorPolicy, connectOrStartMockVLLM, evaluateArithmetic } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { StrandsSpanTracker, VLLMTokenRecorder } from '@strands-vllm/tito'
import { z } from 'zod'

const memory = new InMemorySpanExporter()
const tracker = new StrandsSpanTracker()
const processors: SpanProcessor[] = [tracker, new SimpleSpanProcessor(memory)]
const otlpEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
if (otlpEndpoint) {
  processors.push(
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }))
  )
}
const provider = new BasicTracerProvider({ spanProcessors: processors })
trace.setGlobalTracerProvider(provider)
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression.',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

const target = await connectOrStartMockVLLM({ policy: calculatorPolicy() })
console.log(`server: ${target.description}`)
console.log(
  `otlp export: ${otlpEndpoint ? `${otlpEndpoint}/v1/traces` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to enable)'}`
)
try {
  const agent = new Agent({
    model: new VLLMModel({
      baseUrl: target.baseUrl,
      modelId: target.modelId,
      apiKey: target.apiKey,
      returnTokenIds: true,
      logprobs: true,
      temperature: 1,
      maxTokens: 512,
    }),
    tools: [calculator],
    plugins: [new VLLMTokenRecorder({ spanTracker: tracker, rolloutId: 'rollout-0' })],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  await trace.getTracer('example').startActiveSpan('rollout', async (span) => {
    try {
      await agent.invoke('What is 12 * 34?')
    } finally {
      span.end()
    }
  })
} finally {
  await target.close()
  await provider.forceFlush()
}

const preview = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.slice(0, 6).join(', ')}${value.length > 6 ? `, … (${value.length})` : ''}]`
  const text = String(value)
  return text.length > 90 ? `${text.slice(0, 90)}… (${text.length} chars)` : text
}
const callSpans = memory.getFinishedSpans().filter((s) => s.name === 'openai.chat.completion')
console.log(`exported ${callSpans.length} per-call span(s) named openai.chat.completion`)
for (const [i, span] of callSpans.entries()) {
  const parent = memory.getFinishedSpans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId)
  console.log(`--- span ${i} (parent: ${parent?.name ?? 'none'}) ---`)
  for (const key of [
    'prompt_token_ids',
    'response_token_ids',
    'gen_ai.response.id',
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.output_tokens',
    'llm.token_count.prompt',
    'llm.token_count.completion',
    'llm.hosted_vllm.prompt_token_ids',
    'llm.hosted_vllm.response_token_ids',
    'logprobs.content',
    'tito.status',
  ]) {
    console.log(`  ${key.padEnd(36)} ${preview(span.attributes[key])}`)
  }
}
await provider.shutdown()
