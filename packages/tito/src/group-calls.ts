/** What grouping reads: a recorder-history entry, a parsed JSONL record and drift's records all fit. */
export interface GroupableCall {
  callIndex: number
  rolloutId?: string | undefined
  invocationIndex?: number | undefined
}

/**
 * Split calls into conversations: first by `rolloutId`, then by recorder history. Within one rollout a new
 * history starts whenever `callIndex` does not go up (the recorder numbers calls from 0 after a reset) or
 * `invocationIndex` goes down. Groups come in order of their first call; calls keep their order (never
 * sorted: sorting would interleave two histories of one rollout). Returns input positions.
 */
export function groupCallPositions(calls: readonly GroupableCall[]): number[][] {
  const groups: number[][] = []
  const open = new Map<string | undefined, number[]>()
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!
    const group = open.get(call.rolloutId)
    const last = group === undefined ? undefined : calls[group[group.length - 1]!]!
    const sameHistory =
      last !== undefined &&
      call.callIndex > last.callIndex &&
      !(
        call.invocationIndex !== undefined &&
        last.invocationIndex !== undefined &&
        call.invocationIndex < last.invocationIndex
      )
    if (group && sameHistory) group.push(i)
    else {
      const fresh = [i]
      groups.push(fresh)
      open.set(call.rolloutId, fresh)
    }
  }
  return groups
}

/**
 * The calls of each conversation (one rollout's recorder history), in order. Records of several rollouts
 * concatenated (one shared JSONL file, several recorders) come apart here; `buildTrajectories` and the drift
 * analysis group with it, so calls of different rollouts are never compared.
 */
export function groupCalls<T extends GroupableCall>(calls: readonly T[]): T[][] {
  return groupCallPositions(calls).map((group) => group.map((i) => calls[i]!))
}
