import { createHash } from 'node:crypto'
import type { TitoStatus } from '@strands-vllm/model'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord, TrajectoryCall } from './call-record.js'
import { QWEN3_SPECIAL_IDS, type SpecialTokenIds } from './divergence.js'
import { type LogprobContentEntry, logprobContent } from './span-attributes.js'
import type { TokenDecoder } from './token-decoder.js'
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

const seconds = (ms: number): number => Math.max(0, ms) / 1000

/**
 * Timings of a trajectory's calls, from the records: time spent generating (each call's start to end) and time
 * between a response that called tools and the next call (tool execution plus the agent's own overhead).
 */
function timings(calls: readonly TrajectoryCall[]): { generation: number; tools: number } {
  let generation = 0
  let tools = 0
  calls.forEach((c, i) => {
    if (!c.timing) return
    generation += seconds(c.timing.endMs - c.timing.startMs)
    const next = calls[i + 1]
    const calledTools = (c.toolUses?.length ?? 0) > 0 || c.finishReason === 'tool_calls'
    if (next?.timing && calledTools) tools += seconds(next.timing.startMs - c.timing.endMs)
  })
  return { generation, tools }
}

/**
 * Chat turns in verl's sense (user + assistant + tool messages; the system prompt is not a turn), counted in the
 * sequence itself: one per message header, one per tool result inside a user turn (Qwen3 renders consecutive tool
 * results as one `user` turn of `<tool_response>` blocks). The generation prompt's `assistant` header counts: it
 * opens the message the last call sampled.
 */
function countChatTurns(ids: ArrayLike<number>, special: SpecialTokenIds = QWEN3_SPECIAL_IDS): number {
  let turns = 0
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== special.messageStart) continue
    const role = ids[i + 1]
    if (role !== undefined && role === special.systemRole) continue
    let tools = 0
    let first: number | undefined
    for (let j = i + 2; j < ids.length && ids[j] !== special.messageEnd && ids[j] !== special.messageStart; j++) {
      const id = ids[j]!
      if (first === undefined && !special.separator.includes(id)) first = id
      if (special.toolResponseStart !== undefined && id === special.toolResponseStart) tools++
    }
    const toolTurn = role === special.userRole && first !== undefined && first === special.toolResponseStart
    turns += toolTurn ? tools : 1
  }
  return turns
}

/** verl's `AgentLoopMetrics`: seconds generating, seconds in tools, preemptions (-1: unknown). */
export interface VerlMetrics {
  generate_sequences: number
  tool_calls: number
  num_preempted: number
}

/**
 * A verl agent-loop row that validates as `AgentLoopOutput` (`verl/experimental/agent_loop`). Everything after the
 * first prompt is the response side: sampled ids (mask 1) and the tool/user/bridge ids between them (mask 0).
 */
export interface VerlRow {
  prompt_ids: number[]
  response_ids: number[]
  response_mask: number[]
  /** Null unless every sampled token has one; all-or-none across the rows of one export (verl stacks the batch). */
  response_logprobs: number[] | null
  /** verl's own loops pass `{}`; with a vision processor loaded verl reads it (null fails). */
  multi_modal_data: Record<string, never>
  reward_score: number | null
  /** Chat turns in verl's sense: user + assistant + tool messages in the sequence (`countChatTurns`). */
  num_turns: number
  metrics: VerlMetrics
  extra_fields: {
    rollout_id: string | null
    trajectory_index: number
    call_indices: number[]
    /** Model calls merged into this row (what `num_turns` meant before). */
    num_calls: number
    /** True when `responseLength` cut the response side; `response_length_before_truncation` says from what. */
    response_truncated: boolean
    response_length_before_truncation?: number
    /** True when this row had logprobs but another row of the export did not (so none carry them). */
    response_logprobs_dropped?: boolean
  }
}

export interface VerlRowOptions extends TrajectoryRewardOptions {
  /**
   * Cut the response side to this many tokens (verl's `response_length`; its own loops truncate, so should we).
   * The cut is recorded in `extra_fields`.
   */
  responseLength?: number
  /** Control ids for counting chat turns (default Qwen3). */
  specialTokens?: SpecialTokenIds
}

/**
 * verl rows, one per trajectory. verl takes **one output per input sample**: a rollout that split into several
 * trajectories yields several rows, which a standard agent loop cannot return — train one of them (e.g. the last,
 * `extra_fields.rollout_id` groups them), or avoid the split with the model's token-in mode, which never splits.
 */
export function toVerlRows(trajectories: readonly Trajectory[], options: VerlRowOptions = {}): VerlRow[] {
  const special = options.specialTokens ?? QWEN3_SPECIAL_IDS
  const rows = trajectories.map((t): VerlRow => {
    const side = responseSide(t, options.maskedLogprob ?? 0)
    const { generation, tools } = timings(t.calls)
    const row: VerlRow = {
      prompt_ids: side.promptIds,
      response_ids: side.responseIds,
      response_mask: side.responseMask,
      response_logprobs: side.logprobs,
      multi_modal_data: {},
      reward_score: trajectoryReward(t, options),
      num_turns: countChatTurns(t.tokenIds, special),
      metrics: { generate_sequences: generation, tool_calls: tools, num_preempted: -1 },
      extra_fields: {
        rollout_id: t.rolloutId,
        trajectory_index: t.index,
        call_indices: [...t.callIndices],
        num_calls: t.callIndices.length,
        response_truncated: false,
      },
    }
    const limit = options.responseLength
    if (limit !== undefined && row.response_ids.length > limit) {
      row.extra_fields.response_truncated = true
      row.extra_fields.response_length_before_truncation = row.response_ids.length
      row.response_ids = row.response_ids.slice(0, limit)
      row.response_mask = row.response_mask.slice(0, limit)
      if (row.response_logprobs) row.response_logprobs = row.response_logprobs.slice(0, limit)
    }
    return row
  })
  // verl decides from the first row whether to stack logprobs: a batch mixing null and lists fails.
  if (rows.some((r) => r.response_logprobs === null)) {
    for (const r of rows) {
      if (r.response_logprobs === null) continue
      r.response_logprobs = null
      r.extra_fields.response_logprobs_dropped = true
    }
  }
  return rows
}

/** slime's `Sample.Status` values. */
export type SlimeStatus = 'completed' | 'truncated' | 'aborted' | 'failed'

/**
 * A slime `Sample` as `Sample.from_dict` loads it (`slime/utils/types.py`): `tokens` = prompt + response,
 * `loss_mask` and `rollout_log_probs` over the response part only, `status`, and an integer `rollout_id` shared by
 * every sample of one rollout (slime's rollout check and loss reducer group by it).
 */
export interface SlimeSample {
  group_index: number | null
  index: number | null
  /** The first prompt decoded, when a decoder was given (else ''). */
  prompt: string
  tokens: number[]
  /** The response part decoded (what reward functions read), when a decoder was given (else ''). */
  response: string
  response_length: number
  label: string | null
  reward: number | null
  loss_mask: number[]
  rollout_log_probs: number[] | null
  status: SlimeStatus
  rollout_id: number
  /** Seconds outside generation (time after tool-calling responses, from the records). */
  non_generation_time: number
  metadata: {
    rollout_id: string | null
    trajectory_index: number
    call_indices: number[]
    finish_reason: string | null
  }
}

export interface SlimeSampleOptions extends TrajectoryRewardOptions {
  /** Fills `prompt` and `response` with text (slime's reward functions read `response`). */
  decoder?: TokenDecoder
  /**
   * The integer `rollout_id` of a rollout. Default: a decimal id is its own value (`"17"` → 17); any other string
   * maps to the first 52 bits of its SHA-256 (stable across processes and runs); no id → 0.
   */
  rolloutIndex?: (rolloutId: string | null) => number
}

/** slime's status for the way a sample's last call ended (slime maps `length` → truncated, `abort` → aborted). */
function slimeStatus(finishReason: string | null | undefined): SlimeStatus {
  switch (finishReason) {
    case 'stop':
    case 'tool_calls':
      return 'completed'
    case 'length':
    case 'repetition':
      return 'truncated'
    case 'abort':
      return 'aborted'
    default:
      return 'failed'
  }
}

/** The default `rolloutIndex`: decimal ids as themselves, other strings by a stable 52-bit hash, none as 0. */
export function defaultRolloutIndex(rolloutId: string | null): number {
  if (rolloutId === null) return 0
  if (/^\d{1,15}$/.test(rolloutId)) return Number(rolloutId)
  return Number.parseInt(createHash('sha256').update(rolloutId, 'utf8').digest('hex').slice(0, 13), 16)
}

export function toSlimeSamples(trajectories: readonly Trajectory[], options: SlimeSampleOptions = {}): SlimeSample[] {
  const index = options.rolloutIndex ?? defaultRolloutIndex
  return trajectories.map((t) => {
    const side = responseSide(t, options.maskedLogprob ?? 0)
    const last = t.calls.at(-1)
    const decode = (ids: number[]) => (options.decoder && ids.length > 0 ? options.decoder.decode(ids) : '')
    return {
      group_index: null,
      index: null,
      prompt: decode(side.promptIds),
      tokens: Array.from(t.tokenIds),
      response: decode(side.responseIds),
      response_length: side.responseIds.length,
      label: null,
      reward: trajectoryReward(t, options),
      loss_mask: side.responseMask,
      rollout_log_probs: side.logprobs,
      status: slimeStatus(last?.finishReason),
      rollout_id: index(t.rolloutId),
      non_generation_time: timings(t.calls).tools,
      metadata: {
        rollout_id: t.rolloutId,
        trajectory_index: t.index,
        call_indices: [...t.callIndices],
        finish_reason: last?.finishReason ?? null,
      },
    }
  })
}

/**
 * An Agent Lightning `Triplet` (one per call, "transition" level), shaped like the one its span adapter
 * (`TracerTraceToTriplet`) builds from the recorder's spans, so both paths give the same rows.
 */
export interface AgentLightningTriplet {
  prompt: { token_ids: number[]; image_urls: string[]; raw_content?: string }
  /** `logprobs`: OpenAI `logprobs.content` entries (`{token, logprob, …}`), absent when the call has none. */
  response: { token_ids: number[]; logprobs?: LogprobContentEntry[]; raw_content?: string }
  reward: number | null
  metadata: {
    /** As the adapter unflattens the span's `gen_ai.request.*` / `gen_ai.response.*`. */
    request: { model?: string }
    response: { id?: string; model?: string; finish_reasons?: string[] }
    response_id: string | null
    /** The adapter's agent label: `*` when it matched no agent span. */
    agent_name: string
    /** What the records add (not on the span path). */
    tito: {
      call_index: number
      invocation_index: number
      attempt: number
      finish_reason: string | null
      rollout_id: string | null
    }
  }
}

export interface TripletOptions {
  /** Per call (by call index), or a function of the call. Default: null rewards. */
  rewards?: Readonly<Record<number, number>> | ((call: TitoCallRecord) => number | null)
  /**
   * The rollout's reward, put on the last triplet of each rollout (what Agent Lightning's adapter does with its
   * `final_reward`, and where its verl bridge reads the rollout reward). Overrides that triplet's per-call reward.
   */
  reward?: number
  /** Include non-exact calls that still have ids. Default false (their spans are renamed so the adapter skips them). */
  includeNonExact?: boolean
  /** Fills `raw_content` with the decoded prompt and response. */
  decoder?: TokenDecoder
  /** `metadata.agent_name` (default `*`, what the adapter writes when no agent span matched). */
  agentName?: string
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
  const superseded = new Set(excluded.filter((e) => e.supersededBy !== undefined).map((e) => e.position))
  const out: AgentLightningTriplet[] = []
  const lastOfRollout = new Map<string | undefined, AgentLightningTriplet>()
  calls.forEach((call, position) => {
    if (!call.promptTokenIds || !call.tokenIds) return
    if (call.status !== 'exact' && !options.includeNonExact) return
    if (superseded.has(position)) return
    const rewards = options.rewards
    const reward = typeof rewards === 'function' ? rewards(call) : (rewards?.[call.callIndex] ?? null)
    const triplet: AgentLightningTriplet = {
      prompt: { token_ids: [...call.promptTokenIds], image_urls: [] },
      response: { token_ids: [...call.tokenIds] },
      reward,
      metadata: {
        request: call.model ? { model: call.model } : {},
        response: {
          ...(call.responseId ? { id: call.responseId } : {}),
          ...(call.model ? { model: call.model } : {}),
          ...(call.finishReason ? { finish_reasons: [call.finishReason] } : {}),
        },
        response_id: call.responseId,
        agent_name: options.agentName ?? '*',
        tito: {
          call_index: call.callIndex,
          invocation_index: call.invocationIndex,
          attempt: call.attempt,
          finish_reason: call.finishReason,
          rollout_id: call.rolloutId ?? null,
        },
      },
    }
    const logprobs = logprobContent(call)
    if (logprobs) triplet.response.logprobs = logprobs
    if (options.decoder) {
      triplet.prompt.raw_content = options.decoder.decode(call.promptTokenIds)
      triplet.response.raw_content = options.decoder.decode(call.tokenIds)
    }
    out.push(triplet)
    lastOfRollout.set(call.rolloutId, triplet)
  })
  if (options.reward !== undefined) for (const t of lastOfRollout.values()) t.reward = options.reward
  return out
}
