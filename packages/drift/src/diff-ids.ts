/** Which positions of two id sequences are not part of their longest common alignment. */
export interface IdDiff {
  /** Indices into `a` that the alignment does not keep (the drifted original tokens). */
  a: number[]
  /** Indices into `b` that the alignment does not keep (the tokens re-encoding produced instead). */
  b: number[]
}

/**
 * Myers' O((N+M)·D) diff over ids, so each drift site is pinned to the few tokens that changed
 * instead of everything after the first one. Past `maxEdits` it falls back to "all but the common
 * prefix and suffix", which is still correct, only coarser.
 */
export function diffIds(a: readonly number[], b: readonly number[], maxEdits = 512): IdDiff {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const n = endA - start
  const m = endB - start
  if (n === 0 || m === 0) return { a: range(start, endA), b: range(start, endB) }

  const max = Math.min(n + m, maxEdits)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2))
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
      let x = down ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1
      let y = x - k
      while (x < n && y < m && a[start + x] === b[start + y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found < 0) return { a: range(start, endA), b: range(start, endB) }

  const outA: number[] = []
  const outB: number[] = []
  let x = n
  let y = m
  for (let d = found; d > 0; d--) {
    const snap = trace[d] as Int32Array
    const at = (k: number): number => snap[k + d + 1] as number
    const k = x - y
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1))
    const prevK = down ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      x--
      y--
    }
    if (down) outB.push(start + prevY)
    else outA.push(start + prevX)
    x = prevX
    y = prevY
  }
  return { a: outA.reverse(), b: outB.reverse() }
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i++) out.push(i)
  return out
}
