import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { exactFields, installGlobalTracing, ScriptedModel, testAgent } from '@strands-vllm/testing'
import { beforeAll, expect, it } from 'vitest'
import { VLLMTokenRecorder } from './recorder.js'

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  arrayValue?: { values?: OtlpValue[] }
}
interface OtlpSpan {
  name: string
  parentSpanId?: string
  attributes: Array<{ key: string; value: OtlpValue }>
}

const bodies: unknown[] = []
let server: Server
let provider: BasicTracerProvider

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      body += c
    })
    req.on('end', () => {
      bodies.push({ path: req.url, type: req.headers['content-type'], json: JSON.parse(body) })
      res.setHeader('content-type', 'application/json')
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))] })
  const uninstall = installGlobalTracing(provider)
  return async () => {
    await uninstall()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

it('exports the per-call span over OTLP/HTTP JSON with int-array token ids', async () => {
  const recorder = new VLLMTokenRecorder()
  const agent = testAgent({
    model: new ScriptedModel([{ text: 'hi', fields: exactFields([151644, 872, 198], [9707, 151645]) }]),
    plugins: [recorder],
  })
  await trace.getTracer('test').startActiveSpan('rollout', async (span) => {
    await agent.invoke('hello')
    span.end()
  })
  await provider.forceFlush()
  const spans = bodies.flatMap((b) => {
    const json = (b as { json: { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> } }).json
    return json.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
  })
  expect((bodies[0] as { path: string; type: string }).path).toBe('/v1/traces')
  expect((bodies[0] as { type: string }).type).toMatch(/application\/json/)
  const call = spans.find((s) => s.name === 'openai.chat.completion')!
  const rollout = spans.find((s) => s.name === 'rollout')!
  expect(call).toBeDefined()
  expect(call.parentSpanId).toBeDefined()
  expect(rollout).toBeDefined()
  const attr = (key: string) => call.attributes.find((a) => a.key === key)?.value
  const ints = (v: OtlpValue | undefined) => v?.arrayValue?.values?.map((x) => Number(x.intValue))
  expect(ints(attr('prompt_token_ids'))).toEqual([151644, 872, 198])
  expect(ints(attr('response_token_ids'))).toEqual([9707, 151645])
  expect(ints(attr('llm.hosted_vllm.prompt_token_ids'))).toEqual([151644, 872, 198])
  expect(ints(attr('llm.hosted_vllm.response_token_ids'))).toEqual([9707, 151645])
  expect(Number(attr('llm.token_count.prompt')?.intValue)).toBe(3)
  expect(Number(attr('gen_ai.usage.output_tokens')?.intValue)).toBe(2)
  expect(attr('gen_ai.response.id')?.stringValue).toBe('chatcmpl-3-2')
  expect(attr('tito.status')?.stringValue).toBe('exact')
  expect(JSON.parse(attr('logprobs.content')!.stringValue!)).toHaveLength(2)
})
