import { describe, expect, it } from 'vitest'
import { diffIds } from './diff-ids.js'

/** The kept positions of both sides must spell the same sequence, and nothing kept may be dropped. */
function check(a: number[], b: number[]): void {
  const d = diffIds(a, b)
  const dropA = new Set(d.a)
  const dropB = new Set(d.b)
  const keptA = a.filter((_, i) => !dropA.has(i))
  const keptB = b.filter((_, i) => !dropB.has(i))
  expect(keptA).toEqual(keptB)
}

describe('diffIds', () => {
  it('pins each drift site to the changed tokens', () => {
    const a = [1, 2, 39, 83722, 5, 6, 39, 83722, 9]
    const b = [1, 2, 72239, 1718, 5, 6, 72239, 1718, 9]
    expect(diffIds(a, b)).toEqual({ a: [2, 3, 6, 7], b: [2, 3, 6, 7] })
  })

  it('handles length changes and empty sides', () => {
    expect(diffIds([220, 14615, 7], [1879, 7])).toEqual({ a: [0, 1], b: [0] })
    expect(diffIds([], [1, 2])).toEqual({ a: [], b: [0, 1] })
    expect(diffIds([1, 2], [1, 2])).toEqual({ a: [], b: [] })
  })

  it('yields a common subsequence on 2,000 seeded random inputs', () => {
    let state = 12345
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state % n
    }
    const seq = (): number[] => Array.from({ length: next(40) }, () => next(6))
    for (let i = 0; i < 2000; i++) check(seq(), seq())
  })

  it('falls back to prefix/suffix trimming past maxEdits', () => {
    const d = diffIds([0, 1, 2, 3, 9], [0, 4, 5, 6, 9], 2)
    expect(d).toEqual({ a: [1, 2, 3], b: [1, 2, 3] })
  })
})
