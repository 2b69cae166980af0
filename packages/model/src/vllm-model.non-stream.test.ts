import {
  ContextWindowOverflowError,
  type ModelStreamEvent,
  ModelThrottledError,
  type StreamOptions,
  type ToolSpec,
} from '@strands-agents/sdk'
import { type MockVLLM, type Policy, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect, failure, fieldsOf, user } from './__fixtures__/stream-events.js'
import { VLLMRequestError } from './errors.js'
import { getInvalidToolInput } from './invalid-tool-input.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/**
 * `stream: false` (issue 14): one JSON body per call, the same Strands events and the same tito fields and checks
 * as the stream. Every case runs on both transports against the same mock and compares them.
 */

const tools: ToolSpec[] = [
  { name: 'add', description: 'Add two numbers', inputSchema: { type: 'object', properties: { a: {}, b: {} } } },
  { name: 'mul', description: 'Multiply two numbers', inputSchema: { type: 'object', properties: { a: {}, b: {} } } },
]

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
  if (text.startsWith('broken:')) return { toolCalls: [{ name: 'add', arguments: '{"a": 2, "b": ' }] }
  if (text.startsWith('think:')) return { reasoning: 'The user wants a greeting.', content: 'Hello!' }
  return { content: `You said: ${text} and that is all there is to say about it.` }
}

/** What a transport must agree on: the event sequence with text merged per block. */
function summarize(events: ModelStreamEvent[]): unknown[] {
  const out: unknown[] = []
  for (const e of events) {
    if (e.type === 'modelContentBlockDeltaEvent') {
      const last = out.at(-1) as { delta?: string; kind?: string } | undefined
      const kind = e.delta.type
      const text =
        kind === 'textDelta' || kind === 'reasoningContentDelta'
          ? (e.delta.text ?? '')
          : kind === 'toolUseInputDelta'
            ? e.delta.input
            : ''
      if (last?.kind === kind) last.delta = `${last.delta}${text}`
      else out.push({ kind, delta: text })
    } else if (e.type === 'modelContentBlockStartEvent') {
      out.push({ start: e.start ? { name: e.start.name } : 'text' })
    } else if (e.type === 'modelMessageStopEvent') {
      out.push({ stop: e.stopReason })
    } else if (e.type !== 'modelMetadataEvent') {
      out.push({ type: e.type })
    }
  }
  return out
}

describe('stream: false — one JSON body, the same events, fields and checks', () => {
  let server: MockVLLM
  let legacy: MockVLLM
  const make = (stream: boolean, extra: Partial<VLLMModelOptions> = {}, on: MockVLLM = server): VLLMModel =>
    new VLLMModel({
      baseUrl: on.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logprobs: { top: 2 },
      eosTokenIds: [151645, 151643],
      stream,
      ...extra,
    } as VLLMModelOptions)

  beforeAll(async () => {
    server = await startMockVLLM({ policy, seed: 5 })
    legacy = await startMockVLLM({ policy, reasoningField: 'reasoning_content' })
  })
  afterAll(async () => {
    await server?.close()
    await legacy?.close()
  })

  it.each([
    ['plain text', 'hello there', {}],
    ['text then a tool call', 'tool: add 2 and 3', { toolSpecs: tools }],
    ['two parallel tool calls', 'parallel: both', { toolSpecs: tools }],
    ['reasoning then text', 'think: greet me', {}],
    [
      'a named tool_choice (vLLM finishes stop)',
      'tool: add',
      { toolSpecs: tools, toolChoice: { tool: { name: 'add' } } },
    ],
  ] as const)('%s: the same events and ids as the stream, transport json', async (_name, text, options) => {
    const streamed = await collect(make(true), user(text), options as StreamOptions)
    const streamedSent = server.requests.at(-1)!
    const json = await collect(make(false), user(text), options as StreamOptions)
    const jsonSent = server.requests.at(-1)!

    expect((jsonSent.body as Record<string, unknown>).stream).toBe(false)
    expect((jsonSent.body as Record<string, unknown>).stream_options).toBeUndefined()
    expect(jsonSent.response).toBeDefined()
    expect(summarize(json)).toEqual(summarize(streamed))

    const s = fieldsOf(streamed)
    const j = fieldsOf(json)
    expect(j.tito.status).toBe('exact')
    expect(j.tito.reasons).toEqual([])
    expect(j.tito.transport).toBe('json')
    expect(s.tito.transport).toBe('stream')
    expect(j.promptTokenIds).toEqual(jsonSent.promptTokenIds)
    expect(j.tokenIds).toEqual(jsonSent.tokenIds)
    expect(j.tokenIds).toEqual(s.tokenIds)
    expect(j.promptTokenIds).toEqual(s.promptTokenIds)
    expect(j.logprobs).toEqual(jsonSent.logprobs)
    expect(j.logprobs).toHaveLength(j.tokenIds!.length)
    expect(j.logprobTokens).toHaveLength(j.tokenIds!.length)
    expect(j.topLogprobs).toHaveLength(j.tokenIds!.length)
    expect(j.tito.finishReason).toBe(s.tito.finishReason)
    expect(j.tito.usage).toEqual(s.tito.usage)
    expect(streamedSent.tokenIds).toEqual(jsonSent.tokenIds)
  })

  it('reads the legacy reasoning_content field in JSON bodies too', async () => {
    const reasoningOf = (events: ModelStreamEvent[]): string =>
      events
        .map((e) =>
          e.type === 'modelContentBlockDeltaEvent' && e.delta.type === 'reasoningContentDelta'
            ? (e.delta.text ?? '')
            : ''
        )
        .join('')
    const events = await collect(make(false, {}, legacy), user('think: hi'))
    const sent = legacy.requests.at(-1)!.response as { choices: [{ message: object }] }
    expect(sent.choices[0].message).toHaveProperty('reasoning_content')
    expect(reasoningOf(events).trim()).toBe('The user wants a greeting.')
    expect(fieldsOf(events).tito.status).toBe('exact')
  })

  it('invalid tool-call JSON becomes the invalid-input marker, as in the stream', async () => {
    const options: StreamOptions = { toolSpecs: tools, toolChoice: { tool: { name: 'add' } } }
    for (const stream of [true, false]) {
      const gen = make(stream).streamAggregated(user('broken: add'), options)
      let result = await gen.next()
      while (!result.done) result = await gen.next()
      const call = result.value.message.content.find((b) => b.type === 'toolUseBlock')
      expect(result.value.stopReason).toBe('toolUse')
      expect(getInvalidToolInput(call?.type === 'toolUseBlock' ? call.input : undefined)?.raw).toBe('{"a": 2, "b": ')
    }
  })

  it('length → maxTokens with the truncated ids recorded exactly', async () => {
    const events = await collect(make(false, { maxTokens: 4 }), user('hello'))
    expect(events.find((e) => e.type === 'modelMessageStopEvent')).toMatchObject({ stopReason: 'maxTokens' })
    const fields = fieldsOf(events)
    expect(fields.tito.finishReason).toBe('length')
    expect(fields.tokenIds).toHaveLength(4)
    expect(fields.tito.status).toBe('exact')
  })

  it('context overflow, 429 and 404 are the same typed errors as streaming', async () => {
    const small = await startMockVLLM({ maxModelLen: 16 })
    try {
      const long = user('Tell me a long story about a robot who paints the sea at night.')
      expect(await failure(make(false, { maxTokens: 8 }, small), long)).toBeInstanceOf(ContextWindowOverflowError)
    } finally {
      await small.close()
    }
    for (const variant of [1, 2, 3, 4]) {
      const error = await failure(make(false, { headers: { 'x-mock-fault': `context-variant:${variant}` } }), user('x'))
      expect(error).toBeInstanceOf(ContextWindowOverflowError)
    }
    expect(await failure(make(false, { headers: { 'x-mock-fault': 'status:429' } }), user('x'))).toBeInstanceOf(
      ModelThrottledError
    )
    const notFound = await failure(make(false, { modelId: 'no-such-model' }), user('x'))
    expect(VLLMRequestError.isInstance(notFound)).toBe(true)
  })

  it('missing prompt ids and dropped parser ids fail the same checks', async () => {
    const missing = fieldsOf(
      await collect(make(false, { headers: { 'x-mock-fault': 'missing-prompt-ids' } }), user('x'))
    )
    expect(missing.tito.reasons.map((r) => r.code)).toContain('prompt_ids_missing')
  })

  it('without returnTokenIds no fields are attached, and no ids are asked for', async () => {
    const events = await collect(make(false, { returnTokenIds: false, logprobs: false }), user('plain'))
    const stop = events.find((e) => e.type === 'modelMessageStopEvent')
    expect(stop && 'additionalModelResponseFields' in stop).toBe(false)
    expect((server.requests.at(-1)!.body as Record<string, unknown>).return_token_ids).toBeUndefined()
  })
})
