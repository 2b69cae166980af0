import { context, trace } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import type { Agent } from '@strands-agents/sdk'
import { defaultPolicy, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { addTool, testAgent } from '@strands-vllm/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuildResult, buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { VLLMTokenRecorder } from './recorder.js'
import {
  aglTriplet,
  slimeProblems,
  slimeSample,
  verlAgentLoopOutput,
  verlBatchProblems,
} from './testing/trainer-schemas.js'
import { type AgentLightningTriplet, toAgentLightningTriplets, toSlimeSamples, toVerlRows } from './training-exports.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const tracer = provider.getTracer('rollouts')

interface Rollout {
  id: string
  history: readonly TitoCallRecord[]
  build: BuildResult
  /** The agent's messages at the end (what verl counts as turns). */
  messages: number
  spans: ReadableSpan[]
}

/** Two servers: a model that never thinks (prefix-preserving turns) and one that does (Qwen3 drops old <think>). */
let mock: MockVLLM
let thinking: MockVLLM
const rollouts: Record<'tool' | 'cut' | 'split', Rollout> = {} as never

/** One rollout against the mock: its own recorder, agent and rollout span; reward span after the last call. */
async function run(id: string, think: boolean, steps: (agent: Agent) => Promise<void>): Promise<Rollout> {
  const rolloutSpan = tracer.startSpan(`rollout ${id}`)
  const parentContext = trace.setSpan(context.active(), rolloutSpan)
  const recorder = new VLLMTokenRecorder({ rolloutId: id, tracer, parentContext })
  const agent = testAgent({
    model: new VLLMModel({
      baseUrl: (think ? thinking : mock).baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logprobs: true,
    }),
    tools: [addTool],
    plugins: [recorder],
  })
  await steps(agent)
  // Agent Lightning v0.x reward: an annotation span after the last call.
  tracer
    .startSpan(
      'agentlightning.annotation',
      { attributes: { 'agentlightning.reward.0.name': 'primary', 'agentlightning.reward.0.value': 1 } },
      parentContext
    )
    .end()
  rolloutSpan.end()
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === rolloutSpan.spanContext().traceId)
  return {
    id,
    history: recorder.history,
    build: buildTrajectories(recorder.history),
    messages: agent.messages.length,
    spans,
  }
}

beforeAll(async () => {
  mock = await startMockVLLM({ policy: defaultPolicy({ think: false }), seed: 11 })
  thinking = await startMockVLLM({ policy: defaultPolicy({ think: true }), seed: 12 })
  // A multi-turn tool rollout: one trajectory.
  rollouts.tool = await run('r-tool', false, async (agent) => {
    await agent.invoke('What is 2 + 3? Use the add tool.')
    await agent.invoke('And what is 4 + 5? Use the add tool.')
  })
  // A length-cut rollout: the cut call ends its trajectory (truncated_previous), the rollout goes on.
  rollouts.cut = await run('r-cut', false, async (agent) => {
    agent.model.updateConfig({ maxTokens: 3 })
    await expect(agent.invoke('Hello there, please write a long answer')).rejects.toThrow()
    agent.model.updateConfig({ maxTokens: 200 })
    await agent.invoke('Try again')
  })
  // A split rollout: Qwen3 drops the earlier <think> block across user turns (reasoning_stripped).
  rollouts.split = await run('r-split', true, async (agent) => {
    await agent.invoke('Hello there')
    await agent.invoke('Tell me more')
  })
}, 60_000)

afterAll(async () => {
  await Promise.all([mock.close(), thinking.close()])
  await provider.shutdown()
})

describe('the rollouts are what the tests claim', () => {
  it('tool: one trajectory with tool calls; cut: a length-cut call; split: two trajectories', () => {
    const { tool: t, cut, split } = rollouts
    expect(t.build.trajectories).toHaveLength(1)
    expect(t.history.some((c) => c.toolUses.length > 0)).toBe(true)
    expect(cut.history[0]).toMatchObject({ finishReason: 'length', status: 'exact' })
    expect(cut.build.trajectories).toHaveLength(2)
    expect(split.build.trajectories).toHaveLength(2)
    expect(split.build.divergences[0]!.cause).toBe('reasoning_stripped')
  })
})

describe('verl rows validate as AgentLoopOutput (issue 16)', () => {
  it.each(['tool', 'cut', 'split'] as const)('%s rollout', (name) => {
    const r = rollouts[name]
    const rows = toVerlRows(r.build.trajectories, { reward: 1 })
    for (const row of rows) verlAgentLoopOutput.parse(row)
    expect(verlBatchProblems(rows)).toEqual([])
    rows.forEach((row, i) => {
      const t = r.build.trajectories[i]!
      // tokens = prompt + response; the call count moved to extra_fields.
      expect([...row.prompt_ids, ...row.response_ids]).toEqual(Array.from(t.tokenIds))
      expect(row.extra_fields).toMatchObject({ rollout_id: r.id, num_calls: t.callIndices.length })
      expect(row.metrics.num_preempted).toBe(-1)
      expect(row.metrics.generate_sequences).toBeGreaterThan(0)
    })
    // num_turns is chat turns (user + assistant + tool messages), not model calls.
    const last = rows.at(-1)!
    if (name !== 'cut') expect(last.num_turns).toBe(r.messages)
    if (name === 'tool') {
      expect(last.num_turns).toBeGreaterThan(last.extra_fields.num_calls)
      expect(last.metrics.tool_calls).toBeGreaterThan(0)
    }
  })

  it('truncates to a response length and records the cut', () => {
    const [row] = toVerlRows(rollouts.tool.build.trajectories, { responseLength: 5 })
    verlAgentLoopOutput.parse(row)
    expect(row!.response_ids).toHaveLength(5)
    expect(row!.response_mask).toHaveLength(5)
    expect(row!.response_logprobs).toHaveLength(5)
    expect(row!.extra_fields.response_truncated).toBe(true)
    expect(row!.extra_fields.response_length_before_truncation).toBeGreaterThan(5)
  })

  it('logprobs are all-or-none per batch', () => {
    const noLogprobs = buildTrajectories(rollouts.split.history.map(({ logprobs: _, ...c }) => c)).trajectories
    const rows = toVerlRows([...rollouts.tool.build.trajectories, ...noLogprobs])
    expect(verlBatchProblems(rows)).toEqual([])
    expect(rows.every((r) => r.response_logprobs === null)).toBe(true)
    expect(rows[0]!.extra_fields.response_logprobs_dropped).toBe(true)
  })
})

describe('slime samples load with Sample.from_dict and pass its rollout checks (issue 16)', () => {
  it('every rollout: schema, tokens = prompt + response, one shared integer rollout_id per rollout', () => {
    const all = Object.values(rollouts)
    const trajectories = all.flatMap((r) => r.build.trajectories)
    const samples = toSlimeSamples(trajectories, { reward: 1, decoder: mock.tokenizer })
    for (const s of samples) slimeSample.parse(s)
    const prompts = trajectories.map((t) => Array.from(t.tokenIds.subarray(0, t.promptLength)))
    expect(
      slimeProblems(
        samples,
        prompts,
        trajectories.map((t) => t.rolloutId!)
      )
    ).toEqual([])
    expect(samples.every((s) => s.response.length > 0 && s.prompt.includes('<|im_start|>'))).toBe(true)
  })

  it('status comes from the last call of the sample', () => {
    const [cutSample, after] = toSlimeSamples(rollouts.cut.build.trajectories)
    expect(cutSample!.status).toBe('truncated')
    expect(after!.status).toBe('completed')
    expect(cutSample!.rollout_id).toBe(after!.rollout_id)
  })
})

type SpanPathTriplet = Omit<AgentLightningTriplet, 'metadata'> & {
  metadata: Omit<AgentLightningTriplet['metadata'], 'tito'>
}

/** Agent Lightning v0.3's span → triplet path (`TracerTraceToTriplet`), restated from the reference. */
function spanPathTriplets(spans: readonly ReadableSpan[]): SpanPathTriplet[] {
  const llm = spans
    .filter((s) => /openai\.chat\.completion/.test(s.name))
    .sort((a, b) => Number(hr(a.startTime) - hr(b.startTime)))
  const seen = new Set<string>()
  const calls = llm.filter((s) => {
    const id = s.attributes['gen_ai.response.id']
    if (typeof id !== 'string') return true
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
  const unflatten = (s: ReadableSpan, prefix: string) =>
    Object.fromEntries(
      Object.entries(s.attributes)
        .filter(([k]) => k.startsWith(`${prefix}.`))
        .map(([k, v]) => [k.slice(prefix.length + 1), v])
    )
  const triplets = calls.map((s) => {
    const a = s.attributes
    const response: AgentLightningTriplet['response'] = { token_ids: [...(a.response_token_ids as number[])] }
    if (typeof a['logprobs.content'] === 'string') response.logprobs = JSON.parse(a['logprobs.content'])
    return {
      prompt: { token_ids: [...(a.prompt_token_ids as number[])], image_urls: [] },
      response,
      reward: null as number | null,
      metadata: {
        request: unflatten(s, 'gen_ai.request'),
        response: unflatten(s, 'gen_ai.response'),
        response_id: (a['gen_ai.response.id'] as string | undefined) ?? null,
        agent_name: '*',
      },
      end: hr(s.endTime),
    }
  })
  // FIRST_OCCURRENCE: a reward goes to the latest call that ended before the reward span started.
  for (const reward of spans.filter((s) => s.name === 'agentlightning.annotation')) {
    const target = triplets.filter((t) => t.end <= hr(reward.startTime)).at(-1)
    if (target) target.reward = reward.attributes['agentlightning.reward.0.value'] as number
  }
  return triplets.map(({ end: _, ...t }): SpanPathTriplet => t)
}
const hr = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])

describe('Agent Lightning triplets (issue 16)', () => {
  it.each(['tool', 'cut', 'split'] as const)('%s rollout: adapter-shaped, reward on the last triplet', (name) => {
    const r = rollouts[name]
    const triplets = toAgentLightningTriplets(r.history, { reward: 1 })
    for (const t of triplets) aglTriplet.parse(t)
    expect(triplets.map((t) => t.reward)).toEqual([...triplets.slice(1).map(() => null), 1])
    const exact = r.history.filter((c) => c.status === 'exact')
    expect(triplets.map((t) => t.prompt.token_ids)).toEqual(exact.map((c) => c.promptTokenIds))
    for (const t of triplets) expect(t.response.logprobs).toHaveLength(t.response.token_ids.length)
  })

  it.each(['tool', 'cut', 'split'] as const)('%s rollout: equal to what the v0.x span path yields', (name) => {
    const r = rollouts[name]
    const ours = toAgentLightningTriplets(r.history, { reward: 1 }).map(({ metadata: { tito: _, ...m }, ...t }) => ({
      ...t,
      metadata: m,
    }))
    expect(ours).toEqual(spanPathTriplets(r.spans))
  })

  it('logprobs are absent, not null, when the call has none', () => {
    const [t] = toAgentLightningTriplets(rollouts.tool.history.map(({ logprobs: _, ...c }) => c))
    expect('logprobs' in t!.response).toBe(false)
    aglTriplet.parse(t)
  })
})
