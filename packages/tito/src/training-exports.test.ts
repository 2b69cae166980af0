import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { exactCall } from './testing/exact-call.js'
import { toAgentLightningTriplets, toSlimeSamples, toVerlRows } from './training-exports.js'

function record(callIndex: number, prompt: number[], response: number[], logprobs?: number[]): TitoCallRecord {
  return exactCall(callIndex, prompt, response, { responseId: `id-${callIndex}`, ...(logprobs ? { logprobs } : {}) })
}

// Two calls that extend each other, then one that diverges (new trajectory).
const history = [
  record(0, [1, 2], [3, 4], [-0.1, -0.2]),
  record(1, [1, 2, 3, 4, 5], [6], [-0.3]),
  record(2, [1, 9], [7], [-0.4]),
]

describe('training exports', () => {
  const { trajectories } = buildTrajectories(history)

  it('verl rows: prompt = first prompt, response side carries mask and 0.0 at masked logprobs', () => {
    const rows = toVerlRows(trajectories, { callRewards: { 1: 1, 2: 0.5 } })
    expect(rows[0]).toEqual({
      prompt_ids: [1, 2],
      response_ids: [3, 4, 5, 6],
      response_mask: [1, 1, 0, 1],
      response_logprobs: [-0.1, -0.2, 0, -0.3],
      multi_modal_data: {},
      num_turns: 0, // these synthetic ids hold no chat-template message headers
      reward_score: 1,
      metrics: { generate_sequences: 0, tool_calls: 0, num_preempted: -1 },
      extra_fields: {
        rollout_id: null,
        trajectory_index: 0,
        call_indices: [0, 1],
        num_calls: 2,
        response_truncated: false,
      },
    })
    expect(rows[1]).toMatchObject({ prompt_ids: [1, 9], response_ids: [7], reward_score: 0.5 })
  })

  it('slime samples: loss_mask / rollout_log_probs over the response part only', () => {
    const [sample] = toSlimeSamples(trajectories, { reward: (t) => t.index + 10 })
    expect(sample).toEqual({
      group_index: null,
      index: null,
      prompt: '',
      tokens: [1, 2, 3, 4, 5, 6],
      response: '',
      response_length: 4,
      label: null,
      loss_mask: [1, 1, 0, 1],
      rollout_log_probs: [-0.1, -0.2, 0, -0.3],
      reward: 10,
      status: 'completed',
      rollout_id: 0,
      non_generation_time: 0,
      metadata: { rollout_id: null, trajectory_index: 0, call_indices: [0, 1], finish_reason: 'stop' },
    })
  })

  it('drops rollout logprobs when any sampled token lacks one (never zero-fills)', () => {
    const partial = buildTrajectories([record(0, [1], [2]), record(1, [1, 2, 3], [4], [-1])]).trajectories
    expect(toVerlRows(partial)[0]!.response_logprobs).toBeNull()
    expect(toSlimeSamples(partial)[0]!.rollout_log_probs).toBeNull()
  })

  it('Agent Lightning triplets: one per exact call, with per-call rewards', () => {
    const triplets = toAgentLightningTriplets(history, { rewards: { 2: 1 } })
    expect(triplets).toHaveLength(3)
    expect(triplets[2]).toEqual({
      prompt: { token_ids: [1, 9], image_urls: [] },
      response: { token_ids: [7], logprobs: [{ token: 'token_id:7', logprob: -0.4, bytes: null, top_logprobs: [] }] },
      reward: 1,
      metadata: {
        request: {},
        response: { id: 'id-2', finish_reasons: ['stop'] },
        response_id: 'id-2',
        agent_name: '*',
        tito: { call_index: 2, invocation_index: 0, attempt: 1, finish_reason: 'stop', rollout_id: null },
      },
    })
    expect(triplets[0]!.reward).toBeNull()
    const missing = { ...record(3, [1], [2]), status: 'incomplete' as const }
    expect(toAgentLightningTriplets([missing])).toEqual([])
  })

  it('Agent Lightning triplets: a retried call gives one row (the retry), not two', () => {
    const calls = [record(0, [1, 2, 3], [4, 5]), { ...record(1, [1, 2, 3], [6, 7]), attempt: 2 }]
    expect(toAgentLightningTriplets(calls).map((t) => [t.metadata.tito.call_index, t.response.token_ids])).toEqual([
      [1, [6, 7]],
    ])
    // Same prompt in another invocation (a second sample): both rows stay.
    const samples = [record(0, [1, 2, 3], [4, 5]), { ...record(1, [1, 2, 3], [6, 7]), invocationIndex: 1 }]
    expect(toAgentLightningTriplets(samples)).toHaveLength(2)
  })
})
