import { type AglStore, type StoreSpan, startAglStore } from '@strands-vllm/agl-store'
import { calculatorPolicy, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { DEFAULT_UNTRAINABLE_SPAN_NAME, toAgentLightningTriplets, VLLMTokenRecorder } from '@strands-vllm/tito'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGL_ATTEMPT_ID, AGL_ROLLOUT_ID } from './agl-span-names.js'
import { emitAglReward } from './emit-reward.js'
import { type AglTracing, setupAglTracing } from './otlp/setup-agl-tracing.js'
import { withAglRollout } from './rollout-scope.js'
import { rolloutAgent } from './testing/agl-stack.js'
import { comparable, faultOnCall } from './testing/spans-stack.js'

let vllm: MockVLLM
let store: AglStore
let tracing: AglTracing
const unstamped: string[] = []

beforeAll(async () => {
  vllm = await startMockVLLM({ policy: calculatorPolicy() })
  store = await startAglStore()
  tracing = setupAglTracing({ storeUrl: store.url, spans: { onUnstamped: (name) => unstamped.push(name) } })
})
afterAll(async () => {
  await tracing?.shutdown()
  await store?.close()
  await vllm?.close()
})

const AGENT = 'calculator-agent'

/** One v0.x rollout: a streaming VLLMModel + recorder whose spans nest under the agent, reward after the last call. */
async function rollout(question: string, options: { fault?: string; name?: string } = {}) {
  const ids = store.startRollout({ input: { question } })
  const model = new VLLMModel({
    baseUrl: vllm.baseUrl,
    modelId: 'Qwen/Qwen3-8B',
    returnTokenIds: true,
    logprobs: true,
    maxTokens: 256,
  })
  const recorder = new VLLMTokenRecorder({ spanTracker: tracing.spans, rolloutId: ids.rolloutId })
  const plugins = options.fault ? [recorder, faultOnCall(model, 0, options.fault)] : [recorder]
  const agent = rolloutAgent(model, plugins, options.name ? { name: options.name } : { name: AGENT })
  await withAglRollout(ids, async () => {
    await agent.invoke(question)
    emitAglReward(1)
  })
  return { ...ids, recorder }
}

const byName = (spans: StoreSpan[], name: string) => spans.filter((s) => s.name.startsWith(name))

describe('AglRolloutSpanProcessor + setupAglTracing against the v0.x store', () => {
  it('every span of the rollout reaches the store; the adapter yields exactly toAgentLightningTriplets', async () => {
    const { rolloutId, attemptId, recorder } = await rollout('What is 12 * 34?')
    await tracing.flush()
    const spans = store.querySpans(rolloutId)
    expect(store.warnings).toEqual([])
    expect(unstamped).toEqual([])
    for (const span of spans) {
      expect(span.attributes[AGL_ROLLOUT_ID]).toBe(rolloutId)
      expect(span.attributes[AGL_ATTEMPT_ID]).toBe(attemptId)
    }
    const [agent] = byName(spans, 'invoke_agent')
    expect(agent?.attributes['agent.name']).toBe(AGENT)
    const calls = byName(spans, 'openai.chat.completion')
    expect(calls).toHaveLength(2)
    // Each call span sits in the agent-loop cycle that ran it, so the tree alone orders the calls.
    const cycles = byName(spans, 'execute_agent_loop_cycle')
    expect(cycles.every((c) => c.parent_id === agent?.span_id)).toBe(true)
    expect(calls.map((c) => c.parent_id)).toEqual(cycles.map((c) => c.span_id))
    expect(byName(spans, 'chat')).toHaveLength(2)
    expect(byName(spans, 'execute_tool')).toHaveLength(1)

    const triplets = store.adapt(rolloutId)
    expect(triplets.map((t) => t.reward)).toEqual([null, 1])
    expect(triplets.map(comparable)).toEqual(
      toAgentLightningTriplets(recorder.history, { reward: 1, agentName: AGENT }).map(comparable)
    )
    expect(triplets.map((t) => t.response.token_ids)).toEqual(vllm.requests.slice(-2).map((r) => r.tokenIds))
    // agent_match works because agent.name is on the agent span.
    expect(store.adapt(rolloutId, { agentMatch: '^calculator' })).toHaveLength(2)
  })

  it('a call that is not exact keeps its ids on the span but is not an LLM call for the adapter; the reward goes to the last exact call', async () => {
    const { rolloutId, recorder } = await rollout('What is 17 * 23?', { fault: 'logprobs-misaligned' })
    await tracing.flush()
    expect(recorder.history.map((c) => c.status)).toEqual(['incomplete', 'exact'])
    expect(recorder.history[0]!.reasons.map((r) => r.code)).toContain('logprobs_misaligned')
    const spans = store.querySpans(rolloutId)
    const [untrainable] = byName(spans, DEFAULT_UNTRAINABLE_SPAN_NAME)
    expect(untrainable?.attributes.prompt_token_ids).toEqual(recorder.history[0]!.promptTokenIds)
    expect(untrainable?.attributes['logprobs.content']).toBeUndefined()
    const triplets = store.adapt(rolloutId)
    expect(triplets).toHaveLength(1)
    expect(triplets[0]).toMatchObject({ reward: 1, response: { token_ids: recorder.history[1]!.tokenIds } })
    expect(triplets.map(comparable)).toEqual(
      toAgentLightningTriplets(recorder.history, { reward: 1, agentName: AGENT }).map(comparable)
    )
  })

  it('concurrent rollouts in one process (agents with the same id and name) keep their own ids and trees', async () => {
    // Twelve, so that timing luck cannot hide a call order the adapter gets wrong (it did about one run in three
    // with four, before call spans nested in their cycles).
    const questions = Array.from({ length: 12 }, (_, i) => `What is ${i + 2} * ${i + 7}?`)
    const done = await Promise.all(questions.map((q) => rollout(q, { name: 'same-agent' })))
    await tracing.flush()
    expect(store.warnings).toEqual([])
    for (const { rolloutId, recorder } of done) {
      const spans = store.querySpans(rolloutId)
      expect(spans.every((s) => s.attributes[AGL_ROLLOUT_ID] === rolloutId)).toBe(true)
      const agents = byName(spans, 'invoke_agent')
      expect(agents).toHaveLength(1)
      const calls = byName(spans, 'openai.chat.completion')
      const cycles = byName(spans, 'execute_agent_loop_cycle')
      expect(cycles.map((c) => c.parent_id)).toEqual([agents[0]!.span_id, agents[0]!.span_id])
      expect(calls.map((c) => c.parent_id)).toEqual(cycles.map((c) => c.span_id))
      expect(store.adapt(rolloutId).map(comparable)).toEqual(
        toAgentLightningTriplets(recorder.history, { reward: 1, agentName: 'same-agent' }).map(comparable)
      )
      expect(new Set(recorder.history.map((c) => c.rolloutId))).toEqual(new Set([rolloutId]))
    }
    const prompts = done.map((d) => JSON.stringify(d.recorder.history[0]!.promptTokenIds))
    expect(new Set(prompts).size).toBe(questions.length)
  })
})
