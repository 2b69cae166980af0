import type { TitoStatus } from '@strands-vllm/model'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import type { Trajectory } from './trajectory.js'

/**
 * Rewards are the user's: one number for every trajectory, a function of the trajectory, or
 * per call (`callRewards`, keyed by call index; a trajectory's reward is then the sum over its calls).
 */
export interface TrajectoryRewardOptions {
  reward?: number | ((trajectory: Trajectory) => number)
  callRewards?: Readonly<Record<number, number>>
  /**
   * Value put in the logprob slot of masked (context) positions. Default 0.0, as Agent Lightning,
   * verl and slime do; it is never used by the loss since the mask is 0 there.
   */
  maskedLogprob?: number
}

function trajectoryReward(t: Trajectory, options: TrajectoryRewardOptions): number | null {
  if (typeof options.reward === 'number') return options.reward
  if (typeof options.reward === 'function') return options.reward(t)
  if (options.callRewards) {
    let sum = 0
    let any = false
    for (const c of t.callIndices) {
      const r = options.callRewards[c]
      if (r !== undefined) {
        sum += r
        any = true
      }
    }
    return any ? sum : null
  }
  return null
}

/** Response-side arrays (everything after the first prompt) with the placeholder for masked logprobs. */
function responseSide(t: Trajectory, maskedLogprob: number) {
  const start = t.promptLength
  const ids = t.tokenIds
  const mask = t.lossMask
  const lps = t.tokens.logprobArray
  const responseIds = Array.from(ids.subarray(start))
  const responseMask = Array.from(mask.subarray(start))
  let complete = true
  const logprobs = new Array<number>(responseIds.length)
  for (let i = 0; i < responseIds.length; i++) {
    const v = lps[start + i]!
    if (mask[start + i] === 1) {
      if (Number.isNaN(v)) complete = false
      logprobs[i] = v
    } else logprobs[i] = maskedLogprob
  }
  return {
    promptIds: Array.from(ids.subarray(0, start)),
    responseIds,
    responseMask,
    logprobs: complete ? logprobs : null,
  }
}

/** verl agent-loop row (`AgentLoopOutput`-like). `response_logprobs` is null unless every sampled token has one. */
export interface VerlRow {
  prompt_ids: number[]
  response_ids: number[]
  response_mask: number[]
  response_logprobs: number[] | null
  /** Model calls (assistant turns) merged into this row. */
  num_turns: number
  reward_score: number | null
  extra_fields: { trajectory_index: number; call_indices: number[] }
}

export function toVerlRows(trajectories: readonly Trajectory[], options: TrajectoryRewardOptions = {}): VerlRow[] {
  return trajectories.map((t) => {
    const side = responseSide(t, options.maskedLogprob ?? 0)
    return {
      prompt_ids: side.promptIds,
      response_ids: side.responseIds,
      response_mask: side.responseMask,
      response_logprobs: side.logprobs,
      num_turns: t.callIndices.length,
      reward_score: trajectoryReward(t, options),
      extra_fields: { trajectory_index: t.index, call_indices: [...t.callIndices] },
    }
  })
}

/** slime `Sample` fields (`loss_mask` and `rollout_log_probs` cover the response part only, as in slime). */
export interface SlimeSample {
  tokens: number[]
  response_length: number
  loss_mask: number[]
  rollout_log_probs: number[] | null
  reward: number | null
  metadata: { trajectory_index: number; call_indices: number[] }
}

export function toSlimeSamples(
  trajectories: readonly Trajectory[],
  options: TrajectoryRewardOptions = {}
): SlimeSample[] {
  return trajectories.map((t) => {
    const side = responseSide(t, options.maskedLogprob ?? 0)
    return {
      tokens: Array.from(t.tokenIds),
      response_length: side.responseIds.length,
      loss_mask: side.responseMask,
      rollout_log_probs: side.logprobs,
      reward: trajectoryReward(t, options),
      metadata: { trajectory_index: t.index, call_indices: [...t.callIndices] },
    }
  })
}

/** Agent Lightning `Triplet` (one per call, "transition" level). */
export interface AgentLightningTriplet {
  prompt: { token_ids: number[] }
  response: { token_ids: number[]; logprobs: number[] | null }
  reward: number | null
  metadata: {
    call_index: number
    invocation_index: number
    attempt: number
    response_id: string | null
    finish_reason: string | null
    rollout_id: string | null
  }
}

export interface TripletOptions {
  /** Per call (by call index), or a function of the call. Default: null rewards. */
  rewards?: Readonly<Record<number, number>> | ((call: TitoCallRecord) => number | null)
  /** Include non-exact calls that still have ids. Default false. */
  includeNonExact?: boolean
}

const ALL_STATUSES: readonly TitoStatus[] = ['exact', 'incomplete', 'missing']

/**
 * One triplet per call with ids. A call a later retry replaced (same invocation, same prompt, `attempt > 1`;
 * `buildTrajectories` lists it with `supersededBy`) gives no triplet: a retry must not become two rows.
 */
export function toAgentLightningTriplets(
  calls: readonly TitoCallRecord[],
  options: TripletOptions = {}
): AgentLightningTriplet[] {
  const { excluded } = buildTrajectories(calls, { acceptStatus: options.includeNonExact ? ALL_STATUSES : ['exact'] })
  const superseded = new Set(excluded.filter((e) => e.supersededBy !== undefined).map((e) => e.callIndex))
  const out: AgentLightningTriplet[] = []
  for (const call of calls) {
    if (!call.promptTokenIds || !call.tokenIds) continue
    if (call.status !== 'exact' && !options.includeNonExact) continue
    if (superseded.has(call.callIndex)) continue
    const rewards = options.rewards
    const reward = typeof rewards === 'function' ? rewards(call) : (rewards?.[call.callIndex] ?? null)
    out.push({
      prompt: { token_ids: [...call.promptTokenIds] },
      response: {
        token_ids: [...call.tokenIds],
        logprobs: call.logprobs && call.logprobs.length === call.tokenIds.length ? [...call.logprobs] : null,
      },
      reward,
      metadata: {
        call_index: call.callIndex,
        invocation_index: call.invocationIndex,
        attempt: call.attempt,
        response_id: call.responseId,
        finish_reason: call.finishReason,
        rollout_id: call.rolloutId ?? null,
      },
    })
  }
  return out
}
