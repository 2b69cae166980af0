import { describe, expect, it } from 'vitest'
import { formatSoakSummary, runSoak } from './soak.js'

describe('soak (short version; `pnpm soak` runs 1,000 sequential + 256 concurrent)', () => {
  it('50 sequential and 32 concurrent rollouts: all exact, no cross-talk, bounded heap', async () => {
    const summary = await runSoak({ sequential: 50, concurrent: 32, warmup: 5, maxHeapGrowthMiB: 64 })
    expect(summary.problems, formatSoakSummary(summary)).toEqual([])
    expect(summary.sequential.calls).toBe(100)
    expect(summary.concurrent.calls).toBe(64)
    expect(summary.sequential.crossTalk + summary.concurrent.crossTalk).toBe(0)
  })
})
