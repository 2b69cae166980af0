import { Message, TextBlock, type ToolSpec } from '@strands-agents/sdk'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/** Issue 13 item 14: `countTokens` from the server's `/tokenize`, `contextWindowLimit` from `max_model_len`. */

const messages = [new Message({ role: 'user', content: [new TextBlock('What is 17 * 23? Think step by step.')] })]
const tools: ToolSpec[] = [
  { name: 'calculator', description: 'Evaluate arithmetic', inputSchema: { type: 'object', properties: {} } },
]

describe('countTokens and contextWindowLimit from the server', () => {
  let server: MockVLLM
  beforeAll(async () => {
    server = await startMockVLLM({ maxModelLen: 4096 })
  })
  afterAll(async () => {
    await server?.close()
  })

  const make = (extra: Partial<VLLMModelOptions> = {}): VLLMModel =>
    new VLLMModel({ baseUrl: server.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true, ...extra })

  it("counts exactly what the chat request's prompt will be (same messages, system prompt, tools)", async () => {
    const model = make({ countTokens: 'server', params: { chat_template_kwargs: { enable_thinking: false } } })
    const options = { systemPrompt: 'You are terse.', toolSpecs: tools }
    const counted = await model.countTokens(messages, options)
    for await (const _ of model.stream(messages, options)) {
      // drain
    }
    const sent = server.requests.at(-1)!
    expect(counted).toBe(sent.promptTokenIds?.length)
    const tokenize = server.requests.find((r) => r.path === '/tokenize')!
    expect((tokenize.body as Record<string, unknown>).chat_template_kwargs).toEqual({ enable_thinking: false })
    // /tokenize also says max_model_len: the window is known from the first count on.
    expect(model.getConfig().contextWindowLimit).toBe(4096)
  })

  it('resolves contextWindowLimit from GET /v1/models once, unless configured', async () => {
    const model = make()
    expect(model.getConfig().contextWindowLimit).toBeUndefined()
    expect(await model.resolveContextWindowLimit()).toBe(4096)
    expect(model.getConfig().contextWindowLimit).toBe(4096)
    const gets = server.requests.filter((r) => r.path === '/v1/models').length
    await model.resolveContextWindowLimit()
    expect(server.requests.filter((r) => r.path === '/v1/models').length).toBe(gets)
    expect(make({ contextWindowLimit: 1000 }).getConfig().contextWindowLimit).toBe(1000)
    // The SDK's utilization projection uses it.
    expect(model.estimateUtilization(1024)).toBe(0.25)
  })

  it("falls back to the SDK's estimate, warning once, when /tokenize is unreachable (behind a gateway)", async () => {
    const warnings: string[] = []
    const gone = await startMockVLLM()
    const baseUrl = gone.baseUrl
    await gone.close()
    const model = new VLLMModel({
      baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      countTokens: 'server',
      logger: { warn: (m) => warnings.push(m) },
    })
    const first = await model.countTokens(messages)
    const second = await model.countTokens(messages)
    expect(first).toBeGreaterThan(0)
    expect(second).toBe(first)
    expect(warnings.filter((w) => w.includes('countTokens'))).toHaveLength(1)
    expect(warnings[0]).toContain('/tokenize')
  })

  it("by default uses the SDK's estimate and sends no request", async () => {
    const before = server.requests.length
    expect(await make().countTokens(messages)).toBeGreaterThan(0)
    expect(server.requests.length).toBe(before)
  })
})
