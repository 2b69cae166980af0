import { describe, expect, it } from 'vitest'
import { VLLMTokenInError } from '../errors.js'
import { computeBridge } from './bridge.js'

const END = 9
const ends = new Set([END])

describe('computeBridge', () => {
  it('cuts right after the dummy turn’s end-of-message id: the separator after it belongs to the bridge', () => {
    // A = [sys…, <start> assistant x <end> \n]; B = A + [<start> user … <end> \n <start> assistant \n]
    const before = [1, 2, 3, END, 5]
    const after = [1, 2, 3, END, 5, 6, 7, END, 5, 6, 8]
    expect(computeBridge({ before, after, previousSampled: [40, 41, END], endIds: ends })).toEqual({
      ids: [5, 6, 7, END, 5, 6, 8],
      synthesizedClose: false,
    })
  })

  it('a previous turn that did not end with the close gets it synthesized in front', () => {
    const before = [1, END, 5]
    const after = [1, END, 5, 6]
    expect(computeBridge({ before, after, previousSampled: [40, 41], endIds: ends })).toEqual({
      ids: [END, 5, 6],
      synthesizedClose: true,
    })
    // Another EOS id (e.g. Qwen3's <|endoftext|>) is not the template's close either.
    expect(
      computeBridge({ before, after, previousSampled: [40, 7], endIds: new Set([END, 7]) })?.synthesizedClose
    ).toBe(true)
    expect(computeBridge({ before, after, previousSampled: [], endIds: ends })?.ids).toEqual([END, 5, 6])
  })

  it('takes the last end-of-message id of the dummy (a dummy of several turns)', () => {
    const before = [1, END, 5, 2, END, 5]
    expect(computeBridge({ before, after: [...before, 3], previousSampled: [END], endIds: ends })?.ids).toEqual([5, 3])
  })

  it('undefined when the dummy holds no known end-of-message id (nothing learned yet)', () => {
    expect(
      computeBridge({ before: [1, 2], after: [1, 2, 3], previousSampled: [END], endIds: new Set() })
    ).toBeUndefined()
  })

  it('a dummy rendering that is not an id prefix fails with the first differing position', () => {
    const check = (before: number[], after: number[], position: number, text: RegExp) => {
      let error: unknown
      try {
        computeBridge({ before, after, previousSampled: [END], endIds: ends })
      } catch (e) {
        error = e
      }
      expect(VLLMTokenInError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'bridge_not_prefix', position, isRetryable: false })
      expect((error as Error).message).toMatch(text)
    }
    check([1, 2, END, 5], [1, 4, END, 5, 6], 1, /position 1 \(alone: id 2; with the appended messages: has id 4\)/)
    check([1, 2, END, 5], [1, 2], 2, /position 2 \(alone: id 9; with the appended messages: ends there\)/)
  })
})
