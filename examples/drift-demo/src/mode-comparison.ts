import {
  type BuildResult,
  buildTrajectories,
  type CallLink,
  type Divergence,
  type TitoCallRecord,
  type Trajectory,
} from '@strands-vllm/tito'

/** One recorded call, as the side-by-side shows it. */
export interface ModeCallRow {
  callIndex: number
  promptLength: number
  sampledLength: number
  /** How the builder linked this call to the previous one (absent when it excluded the call). */
  link: CallLink | undefined
  /** Set when this call's prompt stopped extending the previous call's prompt + sampled tokens. */
  divergence: Divergence | undefined
  /** Token-in calls: where the prompt came from. */
  tokenIn: TitoCallRecord['tokenIn']
}

/** What the trajectory builder made of one mode's episode. */
export interface ModeSide {
  rows: ModeCallRow[]
  trajectories: number
  divergences: readonly Divergence[]
  /** Tokens in all trajectories, and how many of them are context (loss mask 0). */
  trainingTokens: number
  contextTokens: number
  /** Sampled tokens the builder put in a trajectory (loss mask 1): the `of N` of the losses below. */
  sampled: number
  /**
   * Sampled tokens from each split point on, per call: the template rewrote them, so no later prompt extends them
   * and they only end a trajectory that was split off (counted in the held trajectory: mask 1 at or after the
   * divergence index).
   */
  rewritten: { total: number; byCall: Array<{ callIndex: number; tokens: number }> }
  /** Sampled tokens a one-sequence-per-episode build (`onDivergence: 'trust-server'`) leaves at mask 0 or drops. */
  lostAsOneSequence: number
}

/** Whether both modes sampled the same ids, call by call; the first difference when not. */
export interface SampledIdsCheck {
  identical: boolean
  calls: { chat: number; tokenIn: number }
  tokens: number
  firstDifference: { callIndex: number; at: number } | null
}

export interface ModeComparison {
  chat: ModeSide
  tokenIn: ModeSide
  sampledIds: SampledIdsCheck
}

/** One mode's calls and their split build (the builder's default policy), from the same episode. */
export interface ModeRun {
  history: readonly TitoCallRecord[]
  built: BuildResult
}

/** The side-by-side numbers, all read off the trajectory builder's results. */
export function compareModes(chat: ModeRun, tokenIn: ModeRun): ModeComparison {
  return { chat: side(chat), tokenIn: side(tokenIn), sampledIds: compareSampledIds(chat.history, tokenIn.history) }
}

function side({ history, built }: ModeRun): ModeSide {
  const trainingTokens = sum(built.trajectories.map((t) => t.length))
  const sampled = sum(built.trajectories.map(trained))
  const byCall = new Map<number, number>()
  for (const d of built.divergences) {
    const held = built.trajectories[d.trajectoryIndex]
    if (!held) continue
    for (const seg of held.segments) {
      if (seg.kind !== 'response' || seg.callIndex === undefined) continue
      const cut = seg.start + seg.length - Math.max(seg.start, d.index)
      if (cut > 0) byCall.set(seg.callIndex, (byCall.get(seg.callIndex) ?? 0) + cut)
    }
  }
  const oneSequence = buildTrajectories(history, { onDivergence: 'trust-server' })
  return {
    rows: history.map((call, position) => ({
      callIndex: call.callIndex,
      promptLength: call.promptTokenIds?.length ?? 0,
      sampledLength: call.tokenIds?.length ?? 0,
      link: built.calls.find((l) => l.position === position),
      divergence: built.divergences.find((d) => d.position === position),
      tokenIn: call.tokenIn,
    })),
    trajectories: built.trajectories.length,
    divergences: built.divergences,
    trainingTokens,
    contextTokens: trainingTokens - sampled,
    sampled,
    rewritten: {
      total: sum([...byCall.values()]),
      byCall: [...byCall]
        .map(([callIndex, tokens]) => ({ callIndex, tokens }))
        .sort((a, b) => a.callIndex - b.callIndex),
    },
    lostAsOneSequence: sampled - sum(oneSequence.trajectories.map(trained)),
  }
}

function compareSampledIds(chat: readonly TitoCallRecord[], tokenIn: readonly TitoCallRecord[]): SampledIdsCheck {
  const calls = { chat: chat.length, tokenIn: tokenIn.length }
  let tokens = 0
  for (let i = 0; i < Math.max(chat.length, tokenIn.length); i++) {
    const a = chat[i]?.tokenIds ?? []
    const b = tokenIn[i]?.tokenIds ?? []
    const at = firstDifference(a, b)
    if (at !== -1 || !chat[i] || !tokenIn[i]) {
      return { identical: false, calls, tokens, firstDifference: { callIndex: i, at: Math.max(at, 0) } }
    }
    tokens += a.length
  }
  return { identical: true, calls, tokens, firstDifference: null }
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i
  return -1
}

function trained(t: Trajectory): number {
  let n = 0
  for (const m of t.lossMask) n += m
  return n
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
