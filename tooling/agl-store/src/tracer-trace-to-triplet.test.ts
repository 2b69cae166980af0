import type { Attributes } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AglAdapterError } from './errors.js'
import { ATTEMPT_ID, ROLLOUT_ID } from './spans-from-otlp.js'
import { type AglStore, startAglStore } from './store.js'
import { exportProto, spanRecorder } from './test-spans.js'
import { TracerTraceToTriplet } from './tracer-trace-to-triplet.js'

let store: AglStore
beforeAll(async () => {
  store = await startAglStore()
})
afterAll(() => store.close())

/** The attributes an LLM-call span carries for v0.3's adapter (unprefixed ids, gen_ai.*, logprobs.content). */
function llmAttributes(n: number, extra: Attributes = {}): Attributes {
  return {
    prompt_token_ids: [151644, 872, 198, 100 + n],
    response_token_ids: [200 + n, 151645],
    'gen_ai.response.id': `chatcmpl-${n}`,
    'gen_ai.request.model': 'Qwen/Qwen3-8B',
    'gen_ai.request.temperature': 1,
    'gen_ai.response.model': 'Qwen/Qwen3-8B',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.prompt.0.content': `question ${n}`,
    'gen_ai.completion.0.role': 'assistant',
    'gen_ai.completion.0.content': `answer ${n}`,
    'logprobs.content': JSON.stringify([
      { token: 'a', logprob: -0.5, bytes: [97], top_logprobs: [] },
      { token: '<|im_end|>', logprob: -0.01, bytes: null, top_logprobs: [] },
    ]),
    ...extra,
  }
}

/** Build spans with the real SDK, export them as protobuf to the store, and return the stored rollout. */
async function rollout(build: (rec: ReturnType<typeof spanRecorder>, ids: Attributes) => void) {
  const run = store.startRollout()
  const rec = spanRecorder({ [ROLLOUT_ID]: run.rolloutId, [ATTEMPT_ID]: run.attemptId })
  build(rec, { [ROLLOUT_ID]: run.rolloutId, [ATTEMPT_ID]: run.attemptId })
  const outcome = await exportProto(store.tracesUrl, rec.spans())
  expect(outcome.ok).toBe(true)
  return run.rolloutId
}

describe('TracerTraceToTriplet (v0.3 behaviour)', () => {
  it('two calls and a reward → two triplets shaped like v0.3, reward on the last call that ended before it', async () => {
    const id = await rollout((rec) => {
      const agent = rec.open('invoke_agent calculator', {
        start: 0,
        attributes: { 'agent.name': 'calculator', 'gen_ai.agent.name': 'calculator' },
      })
      rec.span('openai.chat.completion', { parent: agent, start: 10, end: 20, attributes: llmAttributes(1) })
      rec.span('execute_tool calculator', { parent: agent, start: 21, end: 22 })
      rec.span('openai.chat.completion', { parent: agent, start: 23, end: 30, attributes: llmAttributes(2) })
      rec.span('agentlightning.annotation', {
        parent: agent,
        start: 31,
        end: 31,
        attributes: { 'agentlightning.reward.0.name': 'primary', 'agentlightning.reward.0.value': 1 },
      })
      rec.close(agent, 32)
    })
    const triplets = store.adapt(id)
    expect(triplets).toHaveLength(2)
    expect(triplets[0]).toEqual({
      prompt: {
        token_ids: [151644, 872, 198, 101],
        raw_content: [{ role: 'user', content: 'question 1' }],
        image_urls: [],
      },
      response: {
        token_ids: [201, 151645],
        raw_content: [{ role: 'assistant', content: 'answer 1' }],
        logprobs: [
          { token: 'a', logprob: -0.5, bytes: [97], top_logprobs: [] },
          { token: '<|im_end|>', logprob: -0.01, bytes: null, top_logprobs: [] },
        ],
      },
      reward: null,
      metadata: {
        request: { model: 'Qwen/Qwen3-8B', temperature: 1 },
        response: { id: 'chatcmpl-1', model: 'Qwen/Qwen3-8B', finish_reasons: ['stop'] },
        response_id: 'chatcmpl-1',
        agent_name: 'calculator',
      },
    })
    expect(triplets[1]).toMatchObject({ prompt: { token_ids: [151644, 872, 198, 102] }, reward: 1 })
  })

  it('matches span names by substring and ignores status: only a name without the pattern keeps a call out', async () => {
    const id = await rollout((rec) => {
      const agent = rec.open('invoke_agent', { start: 0 })
      rec.span('openai.chat.completion.failed', {
        parent: agent,
        start: 1,
        end: 2,
        attributes: llmAttributes(1),
        error: '429',
      })
      rec.span('chat openai.chat.completion (cut)', {
        parent: agent,
        start: 3,
        end: 4,
        attributes: llmAttributes(2),
        error: 'cut',
      })
      rec.span('strands_vllm.chat.not_exact', {
        parent: agent,
        start: 5,
        end: 6,
        attributes: llmAttributes(3),
        error: 'cut',
      })
      rec.span('openai_chat_completion', { parent: agent, start: 7, end: 8, attributes: llmAttributes(4) })
      rec.span('openai.chat.completion', { parent: agent, start: 9, end: 10, attributes: llmAttributes(5) })
      rec.close(agent, 11)
    })
    expect(store.adapt(id).map((t) => t.metadata.response_id)).toEqual(['chatcmpl-1', 'chatcmpl-2', 'chatcmpl-5'])
    expect(store.adapt(id)[0]?.metadata.agent_name).toBe('*')
  })

  it('deduplicates by gen_ai.response.id; a nested match without a response id is skipped', async () => {
    const id = await rollout((rec) => {
      const outer = rec.open('openai.chat.completion', { start: 0, attributes: llmAttributes(1) })
      rec.span('openai.chat.completion', { parent: outer, start: 1, end: 2, attributes: { prompt_token_ids: [1] } })
      rec.close(outer, 3)
      rec.span('openai.chat.completion', { start: 4, end: 5, attributes: llmAttributes(1) })
      rec.span('openai.chat.completion', { start: 6, end: 7, attributes: llmAttributes(2) })
    })
    expect(store.adapt(id).map((t) => t.metadata.response_id)).toEqual(['chatcmpl-1', 'chatcmpl-2'])
  })

  it('a bare agentlightning.reward attribute makes the adapter throw, losing the rollout', async () => {
    const id = await rollout((rec) => {
      rec.span('openai.chat.completion', { start: 0, end: 1, attributes: llmAttributes(1) })
      rec.span('agentlightning.annotation', { start: 2, end: 2, attributes: { 'agentlightning.reward': 1 } })
    })
    expect(() => store.adapt(id)).toThrow(AglAdapterError)
    expect(() => store.adapt(id)).toThrow(
      'Cannot unflatten attribute with key exactly equal to prefix: agentlightning.reward'
    )
  })

  it('agent_match reads agent.name on an ancestor, not Strands’ gen_ai.agent.name', async () => {
    const id = await rollout((rec) => {
      const strands = rec.open('invoke_agent strands', { start: 0, attributes: { 'gen_ai.agent.name': 'math' } })
      rec.span('openai.chat.completion', { parent: strands, start: 1, end: 2, attributes: llmAttributes(1) })
      rec.close(strands, 3)
      const named = rec.open('invoke_agent named', { start: 4, attributes: { 'agent.name': 'math' } })
      rec.span('openai.chat.completion', { parent: named, start: 5, end: 6, attributes: llmAttributes(2) })
      rec.close(named, 7)
      const other = rec.open('invoke_agent other', { start: 8, attributes: { 'agent.name': 'judge' } })
      rec.span('openai.chat.completion', { parent: other, start: 9, end: 10, attributes: llmAttributes(3) })
      rec.close(other, 11)
    })
    const math = store.adapt(id, { agentMatch: 'math' })
    expect(math.map((t) => [t.metadata.response_id, t.metadata.agent_name])).toEqual([['chatcmpl-2', 'math']])
    expect(store.adapt(id).map((t) => t.metadata.agent_name)).toEqual(['*', 'math', 'judge'])
  })

  it('rewards: first_occurrence gives each reward to the latest call that ended before it; calls under reward spans are skipped', async () => {
    const id = await rollout((rec) => {
      const root = rec.open('session', { start: 0 })
      rec.span('openai.chat.completion', { parent: root, start: 1, end: 5, attributes: llmAttributes(1) })
      rec.span('reward-early', {
        parent: root,
        start: 4,
        end: 4,
        attributes: { 'agentlightning.reward.0.name': 'r', 'agentlightning.reward.0.value': 0.1 },
      })
      rec.span('openai.chat.completion', { parent: root, start: 6, end: 8, attributes: llmAttributes(2) })
      rec.span('reward-a', {
        parent: root,
        start: 9,
        end: 9,
        attributes: { 'agentlightning.reward.0.name': 'r', 'agentlightning.reward.0.value': 0.5 },
      })
      const judge = rec.open('agentlightning.annotation', {
        parent: root,
        start: 10,
        attributes: { 'agentlightning.reward.0.name': 'r', 'agentlightning.reward.0.value': 0.7 },
      })
      rec.span('openai.chat.completion', { parent: judge, start: 10.5, end: 10.8, attributes: llmAttributes(9) })
      rec.close(judge, 11)
      rec.close(root, 12)
    })
    const triplets = store.adapt(id)
    // 0.1 starts before call 1 ends: no call for it. 0.5 goes to call 2 (the latest that ended before it). 0.7 skips
    // call 2 (already rewarded) and lands on call 1. The call inside the reward span is not a call at all.
    expect(triplets.map((t) => [t.metadata.response_id, t.reward])).toEqual([
      ['chatcmpl-1', 0.7],
      ['chatcmpl-2', 0.5],
    ])
    expect(new TracerTraceToTriplet({ excludeLlmCallInReward: false }).adapt(store.querySpans(id))).toHaveLength(3)
  })

  it('first_sibling only pairs rewards with calls under the same parent', async () => {
    const id = await rollout((rec) => {
      const root = rec.open('session', { start: 0 })
      const a = rec.open('step', { parent: root, start: 1 })
      rec.span('openai.chat.completion', { parent: a, start: 2, end: 3, attributes: llmAttributes(1) })
      rec.close(a, 4)
      rec.span('reward', {
        parent: root,
        start: 5,
        end: 5,
        attributes: { 'agentlightning.reward.0.name': 'r', 'agentlightning.reward.0.value': 1 },
      })
      rec.close(root, 6)
    })
    const spans = store.querySpans(id)
    expect(new TracerTraceToTriplet({ rewardMatch: 'first_sibling' }).adapt(spans)[0]?.reward).toBeNull()
    expect(new TracerTraceToTriplet({ rewardMatch: 'first_occurrence' }).adapt(spans)[0]?.reward).toBe(1)
  })

  it('repairs floating spans by time before filtering by agent', async () => {
    const id = await rollout((rec) => {
      const root = rec.open('session', { start: 0 })
      const agent = rec.open('agent', { parent: root, start: 1, attributes: { 'agent.name': 'solver' } })
      rec.close(agent, 10)
      // Emitted by another tracing path: parented to the root, but inside the agent's time window.
      rec.span('openai.chat.completion', { parent: root, start: 2, end: 3, attributes: llmAttributes(1) })
      rec.close(root, 11)
    })
    expect(store.adapt(id, { agentMatch: 'solver' })).toHaveLength(1)
    expect(store.adapt(id, { agentMatch: 'solver', repairHierarchy: false })).toHaveLength(0)
  })

  it('reads only int lists as ids (doubles warned about and skipped), and empty ids stay empty unless skipped', async () => {
    const warnings: string[] = []
    const id = await rollout((rec) => {
      rec.span('openai.chat.completion', {
        start: 0,
        end: 1,
        attributes: llmAttributes(1, { prompt_token_ids: [1.5, 2], response_token_ids: 'not ids' }),
      })
      rec.span('openai.chat.completion', { start: 2, end: 3, attributes: { 'gen_ai.response.id': 'empty' } })
    })
    const triplets = store.adapt(id, { onWarning: (m) => warnings.push(m) })
    expect(triplets.map((t) => [t.prompt.token_ids, t.response.token_ids])).toEqual([
      [[], []],
      [[], []],
    ])
    expect(
      warnings.some((w) => w.startsWith('Attribute prompt_token_ids is found but is not a list of integers'))
    ).toBe(true)
    expect(store.adapt(id, { skipEmptyTokenSpans: true })).toEqual([])
  })

  it('bad logprobs.content JSON throws; no spans throws', async () => {
    const id = await rollout((rec) => {
      rec.span('openai.chat.completion', {
        start: 0,
        end: 1,
        attributes: llmAttributes(1, { 'logprobs.content': '[{' }),
      })
    })
    expect(() => store.adapt(id)).toThrow(AglAdapterError)
    expect(() => new TracerTraceToTriplet().adapt([])).toThrow('No spans provided to create TraceTree.')
  })
})
