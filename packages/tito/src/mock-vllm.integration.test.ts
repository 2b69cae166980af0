import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import {
  defaultPolicy,
  type MockVLLM,
  type PolicyOptions,
  scriptedPolicy,
  startMockVLLM,
} from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { addTool, installGlobalTracing, testAgent } from '@strands-vllm/testing'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildTrajectories, type DivergencePolicy } from './build-trajectories.js'
import { VLLMTokenRecorder } from './recorder.js'
import { toTitoJsonl } from './tito-jsonl.js'
import { TokenManager } from './token-manager.js'

const API_KEY = 'sk-tito-secret-4242'
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })

beforeAll(() => installGlobalTracing(provider))

let mock: MockVLLM | undefined
afterEach(async () => {
  await mock?.close()
  mock = undefined
  exporter.reset()
})

async function rollout(policy: PolicyOptions, modelExtra: Record<string, unknown> = {}) {
  mock = await startMockVLLM({ policy: defaultPolicy(policy), seed: 7 })
  const recorder = new VLLMTokenRecorder({ rolloutId: 'r-int' })
  const model = new VLLMModel({
    baseUrl: mock.baseUrl,
    modelId: 'Qwen/Qwen3-8B',
    apiKey: API_KEY,
    returnTokenIds: true,
    logprobs: true,
    ...modelExtra,
  })
  const agent = testAgent({
    model,
    tools: [addTool],
    plugins: [recorder],
  })
  return { agent, recorder, mock }
}

/** The ids the server actually sent, per request, in order. */
const sentIds = (m: MockVLLM) => m.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.tokenIds!)

describe('against the mock vLLM server with real Qwen3 templates', () => {
  it('a plain multi-turn conversation is one exact trajectory: last prompt + response, mask = sampled ids', async () => {
    const { agent, recorder, mock } = await rollout({ think: false })
    for (const text of ['Hello there', 'Tell me more', 'Thanks, bye']) {
      await trace.getTracer('test').startActiveSpan('rollout', async (span) => {
        await agent.invoke(text)
        span.end()
      })
    }
    const history = recorder.history
    expect(history).toHaveLength(3)
    expect(history.every((c) => c.status === 'exact')).toBe(true)
    const { trajectories, divergences, excluded } = buildTrajectories(history, { decoder: mock.tokenizer })
    expect(divergences).toEqual([])
    expect(excluded).toEqual([])
    expect(trajectories).toHaveLength(1)
    const t = trajectories[0]!
    const last = history[2]!
    expect(Array.from(t.tokenIds)).toEqual([...last.promptTokenIds!, ...last.tokenIds!])
    const sampled = Array.from(t.tokenIds).filter((_, i) => t.lossMask[i] === 1)
    expect(sampled).toEqual(sentIds(mock).flat())
    expect(t.tokens.hasResponseLogprobs).toBe(true)
    // Each prompt is what the server computed.
    const serverPrompts = mock.requests.map((r) => r.promptTokenIds)
    expect(history.map((c) => c.promptTokenIds)).toEqual(serverPrompts)
    // Spans: one per call, no API key anywhere.
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'openai.chat.completion')
    expect(spans).toHaveLength(3)
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(API_KEY)
    expect(toTitoJsonl(history)).not.toContain(API_KEY)
  })

  it('a tool loop with canonical tool JSON stays one trajectory', async () => {
    const { agent, recorder } = await rollout({ think: false })
    await agent.invoke('What is 2 + 3? Use the add tool.')
    const history = recorder.history
    expect(history.length).toBeGreaterThanOrEqual(2)
    expect(history[0]!.toolUses.map((t) => t.name)).toEqual(['add'])
    const { trajectories, divergences } = buildTrajectories(history)
    expect(divergences).toEqual([])
    expect(trajectories).toHaveLength(1)
  })

  it('multi-turn with thinking is classified reasoning_stripped', async () => {
    const { agent, recorder, mock } = await rollout({ think: true })
    await agent.invoke('Hello there')
    await agent.invoke('Tell me more')
    expect(mock.requests[0]!.tokenIds).toContain(151667)
    const { divergences, trajectories } = buildTrajectories(recorder.history, { decoder: mock.tokenizer })
    expect(trajectories).toHaveLength(2)
    expect(divergences).toHaveLength(1)
    expect(divergences[0]).toMatchObject({ callIndex: 1, previousCallIndex: 0, cause: 'reasoning_stripped' })
    expect(divergences[0]!.window!.held).toContain('<think>')
  })

  it('compact tool-call JSON that the template re-renders is classified tool_call_reserialized', async () => {
    const { agent, recorder, mock } = await rollout({ think: false, compactToolJson: true })
    await agent.invoke('What is 2 + 3? Use the add tool.')
    const { divergences } = buildTrajectories(recorder.history, { decoder: mock.tokenizer })
    expect(divergences[0]).toMatchObject({ callIndex: 1, cause: 'tool_call_reserialized' })
  })

  it('a call cut by max_tokens makes the next one truncated_previous', async () => {
    const { agent, recorder } = await rollout({ think: false }, { maxTokens: 3 })
    await expect(agent.invoke('Hello there, please write a long answer')).rejects.toThrow()
    agent.model.updateConfig({ maxTokens: 200 })
    await agent.invoke('Try again')
    const history = recorder.history
    expect(history[0]).toMatchObject({ finishReason: 'length', status: 'exact' })
    expect(history[0]!.tokenIds).toHaveLength(3)
    expect(buildTrajectories(history).divergences[0]).toMatchObject({ callIndex: 1, cause: 'truncated_previous' })
  })

  it("the Python recipe's duplicated history is impossible through our API", async () => {
    const { agent, recorder } = await rollout({ think: false })
    await agent.invoke('Hello there')
    await agent.invoke('Tell me more')
    const tm = new TokenManager()
    const [first, second] = recorder.history
    tm.addPrompt(first!.promptTokenIds!)
    tm.addResponse(first!.tokenIds!, first!.logprobs!)
    expect(() => tm.addPrompt(second!.promptTokenIds!)).toThrow(/duplicate the history/)
    const t = buildTrajectories(recorder.history).trajectories[0]!
    expect(t.length).toBe(second!.promptTokenIds!.length + second!.tokenIds!.length)
  })

  it('concurrent agents with separate recorders never mix entries', async () => {
    mock = await startMockVLLM({ policy: defaultPolicy({ think: false }), seed: 3 })
    const baseUrl = mock.baseUrl
    const runs = [0, 1, 2].map((k) => {
      const recorder = new VLLMTokenRecorder({ rolloutId: `r-${k}` })
      const agent = testAgent({
        model: new VLLMModel({ baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true }),
        plugins: [recorder],
      })
      return { k, agent, recorder }
    })
    await Promise.all(
      runs.map(async ({ k, agent }) => {
        await agent.invoke(`Agent ${k} says hello`)
        await agent.invoke(`Agent ${k} says goodbye`)
      })
    )
    const tokenizer = mock.tokenizer
    for (const { k, recorder } of runs) {
      expect(recorder.history).toHaveLength(2)
      for (const call of recorder.history) expect(tokenizer.decode(call.promptTokenIds!)).toContain(`Agent ${k} says`)
      const { trajectories } = buildTrajectories(recorder.history)
      expect(trajectories).toHaveLength(1)
    }
  })

  it('a resampled episode on the same agent (messages reset, same task) is a new trajectory under every policy', async () => {
    const { agent, recorder } = await rollout({ think: false })
    const task = 'What is 2 + 3? Use the add tool.'
    await agent.invoke(task)
    const episode = recorder.history.length
    expect(episode).toBeGreaterThanOrEqual(2)
    agent.messages.length = 0
    await agent.invoke(task)
    agent.messages.splice(0)
    await agent.invoke(task)
    const history = recorder.history
    for (const policy of ['split', 'trust-server', 'fail'] as DivergencePolicy[]) {
      const { trajectories, divergences, excluded } = buildTrajectories(history, { onDivergence: policy })
      expect(divergences).toEqual([])
      expect(excluded).toEqual([])
      expect(trajectories).toHaveLength(3)
      expect(trajectories.map((t) => t.callIndices.length)).toEqual([episode, episode, episode])
    }
  })

  it('a tool name the SDK rewrites to INVALID_TOOL_NAME is classified tool_name_rewritten', async () => {
    mock = await startMockVLLM({
      policy: scriptedPolicy(
        [
          { match: 'not found', on: 'tool', reply: { content: 'Sorry, that tool does not exist.' } },
          { match: 'Add', reply: { toolCalls: [{ name: 'add numbers', arguments: { a: 1, b: 2 } }] } },
        ],
        { think: false }
      ),
    })
    const recorder = new VLLMTokenRecorder()
    const agent = testAgent({
      model: new VLLMModel({ baseUrl: mock.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true }),
      tools: [addTool],
      plugins: [recorder],
    })
    await agent.invoke('Add 1 and 2.')
    const history = recorder.history
    expect(history[0]!.toolUses.map((t) => t.name)).toEqual(['add numbers'])
    expect(mock.tokenizer.decode(history[1]!.promptTokenIds!)).toContain('INVALID_TOOL_NAME')
    for (const decoder of [undefined, mock.tokenizer]) {
      const { divergences, causeCounts } = buildTrajectories(history, decoder ? { decoder } : {})
      expect(divergences[0]).toMatchObject({ callIndex: 1, cause: 'tool_name_rewritten' })
      expect(causeCounts.tool_name_rewritten).toBe(1)
    }
  })
})
