import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import { TokenManagerError } from './errors.js'
import { TokenManager } from './token-manager.js'

describe('TokenManager', () => {
  it('keeps ids, mask, logprobs and segments like the Python API', () => {
    const tm = new TokenManager()
    tm.addPrompt([1, 2, 3])
    tm.addResponse([4, 5], [-0.5, -1.25])
    tm.addPrompt([6])
    tm.addResponse([7], [-2])
    expect(Array.from(tm.tokenIds)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(Array.from(tm.lossMask)).toEqual([0, 0, 0, 1, 1, 0, 1])
    expect(tm.logprobs).toEqual([null, null, null, -0.5, -1.25, null, -2])
    expect(tm.segmentInfo).toEqual([
      [false, 3],
      [true, 2],
      [false, 1],
      [true, 1],
    ])
    expect(tm.segments.map((s) => [s.kind, s.start, s.length])).toEqual([
      ['prompt', 0, 3],
      ['response', 3, 2],
      ['prompt', 5, 1],
      ['response', 6, 1],
    ])
    expect(tm.length).toBe(7)
    expect(tm.outputLength).toBe(3)
    expect(String(tm)).toBe('TokenManager(segments=4, tokens=7, output_tokens=3)')
    expect(tm.hasResponseLogprobs).toBe(true)
    tm.reset()
    expect(tm.length).toBe(0)
    expect(tm.segments).toEqual([])
  })

  it('is strict by default: logprob count, response first, bad ids', () => {
    const tm = new TokenManager()
    expect(() => tm.addResponse([1])).toThrow(/before any addPrompt/)
    tm.addPrompt([1, 2])
    expect(() => tm.addResponse([3, 4], [-1])).toThrow(TokenManagerError)
    expect(() => tm.addResponse([1.5])).toThrow(/not a non-negative 32-bit integer/)
    expect(tm.length).toBe(2)
  })

  it('lenient mode accepts a response first and short logprobs (unknown, never zero)', () => {
    const tm = new TokenManager({ strict: false })
    tm.addResponse([1, 2, 3], [-1])
    expect(tm.logprobs).toEqual([-1, null, null])
    expect(tm.hasResponseLogprobs).toBe(false)
  })

  it('refuses a full re-templated prompt in strict mode (the duplicated-history recipe)', () => {
    const tm = new TokenManager()
    tm.addPrompt([10, 11, 12])
    tm.addResponse([13, 14], [-1, -1])
    const nextPrompt = [10, 11, 12, 13, 14, 198, 20, 21]
    expect(() => tm.addPrompt(nextPrompt)).toThrow(/duplicate the history/)
    expect(tm.extendToPrompt(nextPrompt)).toBe(3)
    expect(Array.from(tm.tokenIds)).toEqual(nextPrompt)
    expect(() => tm.extendToPrompt([10, 99])).toThrow(/first difference at index 1/)
  })

  it('truncate cuts segments to fit', () => {
    const tm = new TokenManager()
    tm.addPrompt([1, 2, 3])
    tm.addResponse([4, 5, 6])
    tm.truncate(4)
    expect(tm.segmentInfo).toEqual([
      [false, 3],
      [true, 1],
    ])
    tm.truncate(2)
    expect(tm.segmentInfo).toEqual([[false, 2]])
  })

  it('grows its typed buffers without losing data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 })), {
          maxLength: 20,
        }),
        (parts) => {
          const tm = new TokenManager({ strict: false, initialCapacity: 16 })
          const ids: number[] = []
          const mask: number[] = []
          for (const [isOutput, chunk] of parts) {
            if (isOutput)
              tm.addResponse(
                chunk,
                chunk.map((x) => -x / 1000)
              )
            else tm.addPrompt(chunk)
            ids.push(...chunk)
            mask.push(...chunk.map(() => (isOutput ? 1 : 0)))
          }
          expect(Array.from(tm.tokenIds)).toEqual(ids)
          expect(Array.from(tm.lossMask)).toEqual(mask)
          expect(tm.length).toBe(ids.length)
        }
      )
    )
  })
})

describe('JSON (issue 13.5)', () => {
  it('JSON.stringify gives plain arrays, not typed-array {"0": …} objects', () => {
    const tm = new TokenManager()
    tm.addPrompt([1, 2], null, { callIndex: 0 })
    tm.addResponse([3, 4], [-0.5, null], { callIndex: 0 })
    expect(JSON.parse(JSON.stringify(tm))).toEqual({
      tokenIds: [1, 2, 3, 4],
      lossMask: [0, 0, 1, 1],
      logprobs: [null, null, -0.5, null],
      segments: [
        { kind: 'prompt', start: 0, length: 2, callIndex: 0 },
        { kind: 'response', start: 2, length: 2, callIndex: 0 },
      ],
    })
  })

  it('a Trajectory serializes with its index, rollout, call indices and prompt length', () => {
    const calls = [
      {
        callIndex: 0,
        rolloutId: 'r-1',
        promptTokenIds: [1, 2],
        tokenIds: [3],
        logprobs: [-1],
        status: 'exact' as const,
        finishReason: 'stop',
      },
      {
        callIndex: 1,
        rolloutId: 'r-1',
        promptTokenIds: [1, 2, 3, 9],
        tokenIds: [4],
        status: 'exact' as const,
        finishReason: 'stop',
      },
    ]
    const [t] = buildTrajectories(calls).trajectories
    expect(JSON.parse(JSON.stringify(t))).toEqual({
      index: 0,
      rolloutId: 'r-1',
      callIndices: [0, 1],
      promptLength: 2,
      tokenIds: [1, 2, 3, 9, 4],
      lossMask: [0, 0, 1, 0, 1],
      logprobs: [null, null, -1, null, null],
      segments: [
        { kind: 'prompt', start: 0, length: 2, callIndex: 0 },
        { kind: 'response', start: 2, length: 1, callIndex: 0 },
        { kind: 'prompt', start: 3, length: 1, callIndex: 1 },
        { kind: 'response', start: 4, length: 1, callIndex: 1 },
      ],
    })
  })
})
