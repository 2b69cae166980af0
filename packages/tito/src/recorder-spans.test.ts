import { context, type SpanContext, SpanStatusCode, trace } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { AfterModelCallEvent, type Plugin } from '@strands-agents/sdk'
import { exactFields, installGlobalTracing, ScriptedModel, type ScriptedTurn, testAgent } from '@strands-vllm/testing'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { VLLMTokenRecorder, type VLLMTokenRecorderOptions } from './recorder.js'
import { StrandsSpanTracker } from './strands-span-tracker.js'

const exporter = new InMemorySpanExporter()
const tracker = new StrandsSpanTracker()
const provider = new BasicTracerProvider({ spanProcessors: [tracker, new SimpleSpanProcessor(exporter)] })

beforeAll(() => installGlobalTracing(provider))
afterEach(() => exporter.reset())

function makeAgent(turns: ScriptedTurn[], options: VLLMTokenRecorderOptions = {}, agentOptions = {}) {
  const recorder = new VLLMTokenRecorder({ spanTracker: tracker, ...options })
  const agent = testAgent({
    model: new ScriptedModel(turns),
    plugins: [recorder],
    ...agentOptions,
  })
  return { recorder, agent }
}

const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith(name))
const parentOf = (s: ReadableSpan): SpanContext | undefined => s.parentSpanContext

describe('per-call spans', () => {
  it('opens exactly one span per call under the active rollout span, with every attribute', async () => {
    const { agent } = makeAgent(
      [
        { text: 'one', fields: exactFields([1, 2, 3], [4, 5]) },
        { text: 'two', fields: exactFields([1, 2, 3, 4, 5, 6], [7]), usage: { inputTokens: 6, outputTokens: 1 } },
      ],
      { rolloutId: 'r-1' }
    )
    const tracer = trace.getTracer('test')
    let rolloutId = ''
    await tracer.startActiveSpan('rollout', async (span) => {
      rolloutId = span.spanContext().spanId
      await agent.invoke('a')
      await agent.invoke('b')
      span.end()
    })
    const calls = spans('openai.chat.completion')
    expect(calls).toHaveLength(2)
    for (const s of calls) expect(parentOf(s)?.spanId).toBe(rolloutId)
    const a = calls[0]!.attributes
    expect(a).toMatchObject({
      'llm.token_count.prompt': 3,
      'llm.token_count.completion': 2,
      'llm.hosted_vllm.prompt_token_ids': [1, 2, 3],
      'llm.hosted_vllm.response_token_ids': [4, 5],
      prompt_token_ids: [1, 2, 3],
      response_token_ids: [4, 5],
      'gen_ai.response.id': 'chatcmpl-3-2',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'vllm',
      'gen_ai.request.model': 'Qwen/Qwen3-8B',
      'gen_ai.response.finish_reasons': ['stop'],
      'tito.status': 'exact',
      'tito.rollout_id': 'r-1',
    })
    // Shaped like OpenAI's `choices[0].logprobs.content`, as Agent Lightning v0.3 writes and reads it.
    expect(JSON.parse(a['logprobs.content'] as string)).toEqual([
      { token: 'token_id:4', logprob: -0.125, bytes: null, top_logprobs: [] },
      { token: 'token_id:5', logprob: -0.25, bytes: null, top_logprobs: [] },
    ])
    // Agent Lightning's default adapter selects spans by this regex.
    expect(calls.every((s) => /openai\.chat\.completion/.test(s.name))).toBe(true)
  })

  it("parents to this agent's agent-loop cycle, under its invoke_agent span (via the tracker) when no span is active, under concurrency", async () => {
    const agents = ['a1', 'a2'].map((id, k) =>
      makeAgent(
        [0, 1].map((i) => ({ text: 'x', fields: exactFields([k, i], [9]), delayMs: 3 + ((k + i) % 2) * 4 })),
        {},
        { id, name: 'worker' }
      )
    )
    await Promise.all(agents.map(({ agent }) => agent.invoke('go').then(() => agent.invoke('again'))))
    const invokes = spans('invoke_agent')
    expect(invokes).toHaveLength(4)
    const calls = spans('openai.chat.completion')
    expect(calls).toHaveLength(4)
    const cycles = spans('execute_agent_loop_cycle')
    for (const s of calls) {
      // The cycle that ran the call, so a trace orders a rollout's calls by its tree alone.
      const cycle = cycles.find((c) => c.spanContext().spanId === parentOf(s)?.spanId)
      expect(cycle).toBeDefined()
      const ns = ([sec, nano]: [number, number]) => sec * 1e9 + nano
      expect(ns(s.startTime)).toBeGreaterThanOrEqual(ns(cycle!.startTime))
      const parent = invokes.find((p) => p.spanContext().spanId === parentOf(cycle!)?.spanId)
      expect(parent).toBeDefined()
      const k = (s.attributes.prompt_token_ids as number[])[0]!
      expect(parent!.attributes['gen_ai.agent.id']).toBe(`a${k + 1}`)
      expect(s.spanContext().traceId).toBe(parent!.spanContext().traceId)
    }
  })

  it('never mis-parents when concurrent agents cannot be told apart: new traces and a warning', async () => {
    const warnings: string[] = []
    const agents = [0, 1].map((k) =>
      makeAgent([{ text: 'x', fields: exactFields([k], [9]), delayMs: 10 }], { warn: (m) => warnings.push(m) })
    )
    await Promise.all(agents.map(({ agent }) => agent.invoke('go')))
    const calls = spans('openai.chat.completion')
    expect(calls).toHaveLength(2)
    for (const s of calls) expect(parentOf(s)).toBeUndefined()
    expect(warnings.some((w) => /cannot be told apart/.test(w))).toBe(true)
  })

  it('marks a failed call ERROR with the exception, and honours spanName / addToSpan / parentContext', async () => {
    const failing = makeAgent([{ error: new Error('server exploded') }], {
      spanName: 'vllm.call',
      untrainableSpanName: false,
    })
    await expect(failing.agent.invoke('go')).rejects.toThrow('server exploded')
    const [failed] = spans('vllm.call')
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR)
    expect(failed!.events.some((e) => e.name === 'exception')).toBe(true)
    expect(failed!.attributes['tito.status']).toBe('missing')

    exporter.reset()
    const quiet = makeAgent([{ text: 'x', fields: exactFields([1], [2]) }], { addToSpan: false })
    await quiet.agent.invoke('go')
    expect(spans('openai.chat.completion')).toHaveLength(0)

    const parent = trace.getTracer('test').startSpan('explicit')
    const explicit = makeAgent([{ text: 'x', fields: exactFields([1], [2]) }], {
      parentContext: trace.setSpan(context.active(), parent),
    })
    await explicit.agent.invoke('go')
    parent.end()
    expect(parentOf(spans('openai.chat.completion')[0]!)?.spanId).toBe(parent.spanContext().spanId)
  })

  it('records an abandoned call (stream stopped before AfterModelCallEvent) as missing and ends its span', async () => {
    const { agent, recorder } = makeAgent(
      [
        { text: 'one', fields: exactFields([1, 2, 3], [4, 5]) },
        { text: 'two', fields: exactFields([1, 2, 3, 4, 5, 6], [7]) },
      ],
      { rolloutId: 'r-abandon' }
    )
    for await (const event of agent.stream('a')) {
      if (event.type === 'modelStreamUpdateEvent') break
    }
    expect(spans('openai.chat.completion')).toHaveLength(0)
    await agent.invoke('b')
    const [abandoned] = spans('strands_vllm.untrainable_call')
    expect(abandoned!.status.code).toBe(SpanStatusCode.ERROR)
    expect(abandoned!.attributes['tito.status']).toBe('missing')
    const h = recorder.history
    expect(h.map((c) => [c.callIndex, c.invocationIndex, c.status, c.error?.name])).toEqual([
      [0, 0, 'missing', 'Abandoned'],
      [1, 1, 'exact', undefined],
    ])
    expect(h[0]!.promptTokenIds).toBeUndefined()
    expect(spans('openai.chat.completion')).toHaveLength(1)
  })
})

describe('spans for Agent Lightning v0.x (issue 14)', () => {
  const LLM_CALL = /openai\.chat\.completion/ // the v0.3 adapter's match: a substring search that ignores status

  it('calls that are not exact end with a name the adapter does not match; their ids stay for debugging', async () => {
    const { agent, recorder } = makeAgent([
      { text: 'ok', fields: exactFields([1, 2], [3]) },
      { text: 'cut', fields: exactFields([1, 2, 3, 4], [5], { status: 'incomplete' }) },
      { error: new Error('HTTP 429') },
    ])
    await agent.invoke('a')
    await agent.invoke('b')
    await expect(agent.invoke('c')).rejects.toThrow('HTTP 429')
    expect(recorder.history.map((c) => c.status)).toEqual(['exact', 'incomplete', 'missing'])
    const all = exporter.getFinishedSpans().filter((s) => s.attributes['tito.call_index'] !== undefined)
    const matched = all.filter((s) => LLM_CALL.test(s.name))
    expect(matched.map((s) => s.attributes['tito.call_index'])).toEqual([0])
    const untrainable = spans('strands_vllm.untrainable_call')
    expect(untrainable.map((s) => [s.attributes['tito.call_index'], s.attributes['tito.trainable']])).toEqual([
      [1, false],
      [2, false],
    ])
    expect(untrainable[0]!.attributes.response_token_ids).toEqual([5])
  })

  it('a call a retry supersedes is renamed too, and the retry says which call it replaces', async () => {
    const retryOnce: Plugin = {
      name: 'retry-once',
      initAgent(agent) {
        agent.addHook(AfterModelCallEvent, (e) => {
          if (e.attemptCount === 1 && !e.error) e.retry = true
        })
      },
    }
    const recorder = new VLLMTokenRecorder({ spanTracker: tracker })
    const agent = testAgent({
      model: new ScriptedModel([
        { text: 'first try', fields: exactFields([1, 2], [3]) },
        { text: 'second try', fields: exactFields([1, 2], [4]) },
      ]),
      plugins: [recorder, retryOnce],
    })
    await agent.invoke('a')
    expect(recorder.history.map((c) => [c.status, c.attempt])).toEqual([
      ['exact', 1],
      ['exact', 2],
    ])
    const calls = exporter
      .getFinishedSpans()
      .filter((s) => s.attributes['tito.call_index'] !== undefined)
      .sort((a, b) => Number(a.attributes['tito.call_index']) - Number(b.attributes['tito.call_index']))
    expect(calls.map((s) => s.name)).toEqual(['strands_vllm.untrainable_call', 'openai.chat.completion'])
    expect(calls[0]!.attributes['tito.superseded']).toBe(true)
    expect(calls[1]!.attributes['tito.retry_of_call_index']).toBe(0)
    // The superseded span still ends when its call ended, before the retry started.
    const ns = (t: [number, number]) => t[0] * 1e9 + t[1]
    expect(ns(calls[0]!.endTime)).toBeLessThanOrEqual(ns(calls[1]!.startTime) + 2e6)
  })

  it('writes logprobs.content as v0.3 does, with the server’s token texts and top alternatives when recorded', async () => {
    const fields = {
      ...exactFields([1], [9707, 0]),
      logprobTokens: ['Hello', '!'],
      topLogprobs: [[{ token: 'Hello', logprob: -0.125 }], [{ token: '!', logprob: -0.25 }]],
    }
    const { agent } = makeAgent([{ text: 'Hello!', fields }])
    await agent.invoke('a')
    const [span] = spans('openai.chat.completion')
    expect(JSON.parse(span!.attributes['logprobs.content'] as string)).toEqual([
      {
        token: 'Hello',
        logprob: -0.125,
        bytes: [72, 101, 108, 108, 111],
        top_logprobs: [{ token: 'Hello', logprob: -0.125, bytes: [72, 101, 108, 108, 111] }],
      },
      { token: '!', logprob: -0.25, bytes: [33], top_logprobs: [{ token: '!', logprob: -0.25, bytes: [33] }] },
    ])
  })

  it('stamps extra attributes on every per-call span, static or per agent (Agent Lightning rollout / attempt ids)', async () => {
    const fixed = makeAgent([{ text: 'x', fields: exactFields([1], [2]) }], {
      spanAttributes: { 'agentlightning.rollout_id': 'ro-1', 'agentlightning.attempt_id': 'at-1' },
    })
    await fixed.agent.invoke('a')
    const perAgent = makeAgent(
      [{ text: 'x', fields: exactFields([1], [2]) }],
      {
        spanAttributes: (agent) => ({
          'agentlightning.rollout_id': `ro-${agent.id}`,
          'agentlightning.attempt_id': 'at-2',
        }),
      },
      { id: 'worker-7' }
    )
    await perAgent.agent.invoke('a')
    expect(
      spans('openai.chat.completion').map((s) => [
        s.attributes['agentlightning.rollout_id'],
        s.attributes['agentlightning.attempt_id'],
      ])
    ).toEqual([
      ['ro-1', 'at-1'],
      ['ro-worker-7', 'at-2'],
    ])
  })
})
