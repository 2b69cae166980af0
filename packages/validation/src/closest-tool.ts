/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), the usual
 * "Damerau-Levenshtein" for typo hints. Stops early once every cell in a row exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let prevPrev: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1)
      row.push(d)
      if (d < rowMin) rowMin = d
    }
    if (rowMin > limit) return limit + 1
    prevPrev = prev
    prev = row
  }
  return prev[b.length]!
}

/**
 * The allowed name closest to `name` (case-insensitive), or undefined when none is close:
 * a hint is given only when the distance is at most a third of the requested name's length
 * (at least 1). Ties go to the earlier name in registry order, so the hint is deterministic.
 */
export function closestToolName(name: string, allowed: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  const limit = Math.max(1, Math.floor(wanted.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of allowed) {
    const d = editDistance(wanted, candidate.toLowerCase(), bestDistance - 1)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}
