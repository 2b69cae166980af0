import type { DriftCallRecord } from './call-record.js'

/**
 * One group per recorder history: calls of a rollout in order of appearance, a new group whenever the
 * `callIndex` does not go up (the recorder numbers calls from 0 after each reset) or the `invocationIndex`
 * goes down (`recorder.reset()`). Never sorted: sorting would interleave two histories of one rollout.
 * TODO(tito groupCalls): replace with `@strands-vllm/tito`'s `groupCalls` once its root entry exports it.
 */
export function groupByHistory(calls: readonly DriftCallRecord[]): DriftCallRecord[][] {
  const groups: DriftCallRecord[][] = []
  const open = new Map<string | undefined, DriftCallRecord[]>()
  for (const call of calls) {
    const group = open.get(call.rolloutId)
    const last = group?.at(-1)
    const sameHistory =
      last !== undefined &&
      call.callIndex > last.callIndex &&
      !(
        call.invocationIndex !== undefined &&
        last.invocationIndex !== undefined &&
        call.invocationIndex < last.invocationIndex
      )
    if (group && sameHistory) group.push(call)
    else {
      const fresh = [call]
      groups.push(fresh)
      open.set(call.rolloutId, fresh)
    }
  }
  return groups
}
