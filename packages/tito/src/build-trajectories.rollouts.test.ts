import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { groupCalls } from './group-calls.js'
import { assistant, qwen3Call, user } from './testing/qwen3-calls.js'
import { fromTitoRecords, parseTitoJsonl, toTitoJsonl } from './tito-jsonl.js'

/** Two calls of one rollout: the second extends the first, or (diverge) rewrites its history. */
function rollout(id: string, topic: string, diverge = false): TitoCallRecord[] {
  const m1 = [user(`Tell me about ${topic}.`)]
  const first = qwen3Call(0, m1, `${topic} is nice.<|im_end|>`, { rolloutId: id })
  const m2 = [...m1, assistant(diverge ? `${topic} is great.` : `${topic} is nice.`), user('More?')]
  return [first, qwen3Call(1, m2, 'Sure.<|im_end|>', { rolloutId: id })]
}

describe('rollouts built together (issue 13.2)', () => {
  it('groups by rollout, then by recorder history, in order of first appearance', () => {
    const a = rollout('a', 'cats')
    const b = rollout('b', 'dogs')
    const reset = { ...a[0]!, callIndex: 0 } // rollout a's recorder reset: call indices start over
    const groups = groupCalls([a[0]!, b[0]!, a[1]!, b[1]!, reset])
    expect(groups.map((g) => g.map((c) => `${c.rolloutId}${c.callIndex}`))).toEqual([
      ['a0', 'a1'],
      ['b0', 'b1'],
      ['a0'],
    ])
  })

  it('interleaved records of two rollouts (one shared JSONL file) give one trajectory per rollout', () => {
    const a = rollout('a', 'cats')
    const b = rollout('b', 'dogs')
    const mixed = [a[0]!, b[0]!, a[1]!, b[1]!]
    const { trajectories, divergences, calls } = buildTrajectories(mixed)
    expect(divergences).toEqual([])
    expect(trajectories.map((t) => [t.rolloutId, t.callIndices])).toEqual([
      ['a', [0, 1]],
      ['b', [0, 1]],
    ])
    expect(calls.map((l) => [l.rolloutId, l.callIndex, l.position, l.relation])).toEqual([
      ['a', 0, 0, 'first'],
      ['a', 1, 2, 'extends'],
      ['b', 0, 1, 'first'],
      ['b', 1, 3, 'extends'],
    ])
  })

  it('puts a divergence cause on the link of the call that diverged, not on another rollout’s call with that index', () => {
    const a = rollout('a', 'cats')
    const b = rollout('b', 'dogs', true)
    const { calls, divergences } = buildTrajectories([...a, ...b])
    expect(divergences).toHaveLength(1)
    expect(divergences[0]).toMatchObject({ rolloutId: 'b', callIndex: 1, position: 3, cause: 'unknown' })
    const causes = calls.map((l) => [l.rolloutId, l.callIndex, l.relation, l.cause])
    expect(causes).toEqual([
      ['a', 0, 'first', null],
      ['a', 1, 'extends', null],
      ['b', 0, 'first', null],
      ['b', 1, 'diverged', 'unknown'],
    ])
  })

  it('the JSONL of several rollouts keeps each call’s own prefix check', () => {
    const a = rollout('a', 'cats')
    const b = rollout('b', 'dogs', true)
    const records = parseTitoJsonl(toTitoJsonl([...a, ...b]))
    expect(records.map((r) => [r.rollout_id, r.call_index, r.checks.prefix.relation, r.checks.prefix.cause])).toEqual([
      ['a', 0, 'first', null],
      ['a', 1, 'extends', null],
      ['b', 0, 'first', null],
      ['b', 1, 'diverged', 'unknown'],
    ])
    expect(buildTrajectories(fromTitoRecords(records)).trajectories).toHaveLength(3)
  })
})
