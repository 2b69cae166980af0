import type { Trajectory } from '@strands-vllm/tito'
import type { CallDrift } from './analyze-calls.js'
import type { RerenderCause } from './rerender-divergence.js'

/**
 * One training sequence as `@strands-vllm/tito`'s builder made it, with what the analysis found on it: the
 * view behind the HTML report's loss-mask strips.
 */
export interface DriftTrajectory {
  /** 0-based, across the whole analysis (`CallDrift.trajectoryIndex` points here). */
  index: number
  rolloutId: string | undefined
  /** The recorder invocation of its first call, when recorded. */
  invocationIndex: number | undefined
  callIndices: number[]
  tokenIds: number[]
  /** Per token: 1 = sampled by the policy (trained on), 0 = context. */
  lossMask: number[]
  /** Where each call's sampled ids sit in `tokenIds`. */
  responses: Array<{ callIndex: number; start: number; length: number }>
  /** Sampled positions that decode → re-encode would change (BPE drift). */
  drifted: number[]
  /** Positions, from the break on, that the next call's prompt does not reproduce (the template rewrote them). */
  rewritten: number[]
  /** The divergence that ended this trajectory (the next call's prompt stopped extending it); null otherwise. */
  endedBy: { callIndex: number; index: number; cause: RerenderCause } | null
}

/** Attach the per-call findings of one conversation to a trajectory the builder made from it. */
export function toDriftTrajectory(
  trajectory: Trajectory,
  index: number,
  calls: ReadonlyMap<number, CallDrift>,
  successorOf: ReadonlyMap<number, CallDrift>
): DriftTrajectory {
  const responses: DriftTrajectory['responses'] = []
  const drifted: number[] = []
  for (const segment of trajectory.segments) {
    if (segment.kind !== 'response' || segment.callIndex === undefined) continue
    responses.push({ callIndex: segment.callIndex, start: segment.start, length: segment.length })
    for (const i of calls.get(segment.callIndex)?.bpe?.driftedIndices.original ?? []) drifted.push(segment.start + i)
  }
  const lastCall = trajectory.callIndices.at(-1)
  const next = lastCall === undefined ? undefined : successorOf.get(lastCall)
  const rerender = next?.rerender ?? null
  // The break's positions are in previous prompt + sampled ids, which is this trajectory when it ends there.
  const fits = rerender !== null && rerender.index <= trajectory.length
  const first = trajectory.callIndices[0] === undefined ? undefined : calls.get(trajectory.callIndices[0])
  return {
    index,
    rolloutId: first?.rolloutId,
    invocationIndex: first?.invocationIndex,
    callIndices: [...trajectory.callIndices],
    tokenIds: Array.from(trajectory.tokenIds),
    lossMask: Array.from(trajectory.lossMask),
    responses,
    drifted,
    rewritten: fits ? rerender.rewritten.filter((p) => p < trajectory.length) : [],
    endedBy: rerender && next ? { callIndex: next.callIndex, index: rerender.index, cause: rerender.cause } : null,
  }
}
