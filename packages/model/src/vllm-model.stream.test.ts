import type { ModelStreamEvent, ToolSpec } from '@strands-agents/sdk'
import { type MockVLLM, type Policy, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, fieldsOf, user } from './__fixtures__/stream-events.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

function stopReasonOf(events: ModelStreamEvent[]): string | undefined {
  const stop = events.find((e) => e.type === 'modelMessageStopEvent')
  return stop?.type === 'modelMessageStopEvent' ? stop.stopReason : undefined
}

function textOf(events: ModelStreamEvent[], kind: 'textDelta' | 'reasoningContentDelta'): string {
  let text = ''
  for (const e of events)
    if (e.type === 'modelContentBlockDeltaEvent' && e.delta.type === kind) text += e.delta.text ?? ''
  return text
}

/** A policy keyed on the last user message, so one server serves every test. */
const policy: Policy = (ctx) => {
  const text = ctx.lastUserText ?? ''
  if (text.startsWith('tool:')) {
    return { content: 'Let me add those.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }
  }
  if (text.startsWith('parallel:')) {
    return {
      toolCalls: [
        { name: 'add', arguments: { a: 1, b: 2 } },
        { name: 'mul', arguments: { a: 3, b: 4 } },
      ],
    }
  }
  if (text.startsWith('think:')) return { reasoning: 'The user wants a greeting.', content: 'Hello!' }
  if (text.startsWith('long:')) return { content: 'one two three four five six seven eight nine ten eleven twelve' }
  return { content: `You said: ${text}` }
}

const tools: ToolSpec[] = [
  { name: 'add', description: 'Add two numbers', inputSchema: { type: 'object', properties: { a: {}, b: {} } } },
  { name: 'mul', description: 'Multiply two numbers', inputSchema: { type: 'object', properties: { a: {}, b: {} } } },
]

describe('VLLMModel over HTTP', () => {
  let server: MockVLLM
  let legacy: MockVLLM
  const make = (extra: Partial<VLLMModelOptions> = {}, on: MockVLLM = server): VLLMModel =>
    new VLLMModel({ baseUrl: on.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true, ...extra } as VLLMModelOptions)

  beforeAll(async () => {
    server = await startMockVLLM({ policy })
    legacy = await startMockVLLM({ policy, reasoningField: 'reasoning_content' })
  })
  afterAll(async () => {
    await server?.close()
    await legacy?.close()
  })

  it('streams plain text and records exactly the ids the server sent', async () => {
    const events = await collect(make(), user('hello'))
    expect(events[0]).toEqual({ type: 'modelMessageStartEvent', role: 'assistant' })
    expect(textOf(events, 'textDelta')).toBe('You said: hello')
    expect(stopReasonOf(events)).toBe('endTurn')
    const fields = fieldsOf(events)
    const sent = server.requests.at(-1)!
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.reasons).toEqual([])
    expect(fields.promptTokenIds).toEqual(sent.promptTokenIds)
    expect(fields.tokenIds).toEqual(sent.tokenIds)
    expect(fields.tito.finishReason).toBe('stop')
    expect(fields.tito.usage?.completionTokens).toBe(sent.tokenIds?.length)
    const meta = events.at(-1)
    expect(meta?.type).toBe('modelMetadataEvent')
    if (meta?.type !== 'modelMetadataEvent') return
    expect(meta.usage?.outputTokens).toBe(sent.tokenIds?.length)
    expect(meta.metrics?.latencyMs).toBeGreaterThanOrEqual(0)
    expect(meta.metrics?.timeToFirstByteMs).toBeGreaterThanOrEqual(0)
  })

  it('sends return_token_ids only when asked and attaches no tito fields otherwise', async () => {
    const events = await collect(make({ returnTokenIds: false }), user('plain'))
    const stop = events.find((e) => e.type === 'modelMessageStopEvent')
    expect(stop && 'additionalModelResponseFields' in stop).toBe(false)
    expect((server.requests.at(-1)!.body as Record<string, unknown>).return_token_ids).toBeUndefined()
  })

  it('keeps text that precedes a tool call (SDK aggregation sees both blocks)', async () => {
    const model = make()
    const gen = model.streamAggregated(user('tool: add 2 and 3'), { toolSpecs: tools })
    let result = await gen.next()
    while (!result.done) result = await gen.next()
    const { message, stopReason } = result.value
    expect(stopReason).toBe('toolUse')
    expect(message.content.map((b) => b.type)).toEqual(['textBlock', 'toolUseBlock'])
    const [text, call] = message.content
    // vLLM's hermes parser keeps the newline before <tool_call> in the content.
    expect(text?.type === 'textBlock' && text.text).toBe('Let me add those.\n')
    expect(call?.type === 'toolUseBlock' && call.name).toBe('add')
    expect(call?.type === 'toolUseBlock' && call.input).toEqual({ a: 2, b: 3 })
    expect(call?.type === 'toolUseBlock' && call.toolUseId).toMatch(/^chatcmpl-tool-/)
  })

  it('keeps two parallel tool calls, in index order, with exact ids', async () => {
    const model = make()
    const events = await collect(model, user('parallel: both'), { toolSpecs: tools })
    const starts = events.flatMap((e) => (e.type === 'modelContentBlockStartEvent' && e.start ? [e.start] : []))
    expect(starts.map((s) => s.type === 'toolUseStart' && s.name)).toEqual(['add', 'mul'])
    expect(stopReasonOf(events)).toBe('toolUse')
    expect(fieldsOf(events).tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
    expect(fieldsOf(events).tito.status).toBe('exact')
  })

  it('reads reasoning from `reasoning` and from legacy `reasoning_content`', async () => {
    for (const on of [server, legacy]) {
      const events = await collect(make({}, on), user('think: hi'))
      expect(textOf(events, 'reasoningContentDelta')).toContain('The user wants a greeting.')
      // The qwen3 reasoning parser keeps the blank line after </think> in the content.
      expect(textOf(events, 'textDelta')).toBe('\n\nHello!')
      const fields = fieldsOf(events)
      expect(fields.tito.status).toBe('exact')
      expect(fields.tokenIds).toEqual(on.requests.at(-1)?.tokenIds)
    }
  })

  it('maps a named tool_choice (vLLM finishes with `stop`) to toolUse', async () => {
    const events = await collect(make(), user('tool: now'), { toolSpecs: tools, toolChoice: { tool: { name: 'add' } } })
    const sent = server.requests.at(-1)!
    expect((sent.body as Record<string, unknown>).tool_choice).toEqual({ type: 'function', function: { name: 'add' } })
    expect(fieldsOf(events).tito.finishReason).toBe('stop')
    expect(stopReasonOf(events)).toBe('toolUse')
  })

  it('disableTools sends neither tools nor tool_choice', async () => {
    await collect(make({ disableTools: true }), user('hi'), { toolSpecs: tools, toolChoice: { any: {} } })
    const body = server.requests.at(-1)?.body as Record<string, unknown>
    expect(body.tools).toBeUndefined()
    expect(body.tool_choice).toBeUndefined()
  })

  it('maps length to maxTokens and records the truncated ids exactly', async () => {
    const events = await collect(make({ maxTokens: 4 }), user('long: count'))
    expect(stopReasonOf(events)).toBe('maxTokens')
    const fields = fieldsOf(events)
    expect(fields.tito.finishReason).toBe('length')
    expect(fields.tokenIds).toHaveLength(4)
    expect(fields.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.sampling).toMatchObject({ max_tokens: 4 })
  })

  it('records a stop-string stop exactly: stop_reason is the string, its ids are kept, no EOS needed', async () => {
    const events = await collect(make({ params: { stop: ['said'] }, eosTokenIds: [151645] }), user('hello'))
    expect(stopReasonOf(events)).toBe('endTurn')
    expect(textOf(events, 'textDelta')).toBe('You ')
    const fields = fieldsOf(events)
    expect(fields.tito).toMatchObject({ status: 'exact', finishReason: 'stop', stopReason: 'said' })
    expect(fields.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
    expect(fields.tokenIds?.at(-1)).not.toBe(151645)
    expect(fields.tito.sampling).toMatchObject({ stop: ['said'] })
  })

  it('aligns logprobs 1:1 with ids and keeps top alternatives', async () => {
    const events = await collect(make({ logprobs: { top: 2 }, temperature: 1 }), user('tool: x'), { toolSpecs: tools })
    const fields = fieldsOf(events)
    const sent = server.requests.at(-1)!
    expect(fields.logprobs).toEqual(sent.logprobs)
    expect(fields.logprobs).toHaveLength(fields.tokenIds!.length)
    expect(fields.topLogprobs).toHaveLength(fields.tokenIds!.length)
    expect(fields.topLogprobs?.[0]).toHaveLength(2)
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.sampling).toEqual({ temperature: 1, logprobs: true, top_logprobs: 2 })
  })
})
