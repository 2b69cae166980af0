import { describe, expect, it } from 'vitest'
import { buildTrajectories, type DivergencePolicy } from './build-trajectories.js'
import { assistant, qwen3Call, system, toolCallText, toolTurn, user } from './testing/qwen3-calls.js'

const question = [user('What is 2 + 3? Use the add tool.')]
const afterTool = [...question, ...toolTurn('call_1', 'add', { a: 2, b: 3 }, '5')]

/** One episode of two calls (a tool call, then the answer) in invocation `inv`, call indices from `from`. */
const episode = (from: number, inv: number) => [
  qwen3Call(from, question, toolCallText('add', { a: 2, b: 3 }), {
    invocationIndex: inv,
    finishReason: 'tool_calls',
    toolUses: [{ id: 'call_1', name: 'add' }],
  }),
  qwen3Call(from + 1, afterTool, 'The sum is 5.<|im_end|>', { invocationIndex: inv }),
]

describe('new episodes on the same agent (issue 13.1)', () => {
  // `agent.messages = []` and the same task again: the resample's first prompt is a prefix of what the builder holds.
  const resampled = [...episode(0, 0), ...episode(2, 1), ...episode(4, 2)]

  it.each<DivergencePolicy>(['split', 'trust-server', 'fail'])(
    'a resampled episode (messages reset, same task) is a new trajectory, not a divergence, under %s',
    (policy) => {
      const result = buildTrajectories(resampled, { onDivergence: policy })
      expect(result.divergences).toEqual([])
      expect(result.excluded).toEqual([])
      expect(result.trajectories.map((t) => t.callIndices)).toEqual([
        [0, 1],
        [2, 3],
        [4, 5],
      ])
      expect(result.calls.map((l) => l.relation)).toEqual(['first', 'extends', 'first', 'extends', 'first', 'extends'])
      expect(Object.values(result.causeCounts).every((n) => n === 0)).toBe(true)
      for (const t of result.trajectories) {
        const last = resampled[t.callIndices[1]!]!
        expect(Array.from(t.tokenIds)).toEqual([...last.promptTokenIds!, ...last.tokenIds!])
      }
    }
  )

  it('a new invocation whose prompt is a shorter prefix (history trimmed back to the opening) is a new episode', () => {
    const calls = [...episode(0, 0), qwen3Call(2, question, 'Let me add.<|im_end|>', { invocationIndex: 1 })]
    const { divergences, calls: links } = buildTrajectories(calls, { onDivergence: 'fail' })
    expect(divergences).toEqual([])
    expect(links.at(-1)).toMatchObject({ callIndex: 2, relation: 'first', previousCallIndex: null })
  })

  it('a new invocation with an unrelated prompt (another system prompt) is a new episode', () => {
    const other = [system('You are terse.'), user('Name a colour.')]
    const calls = [...episode(0, 0), qwen3Call(2, other, 'Blue.<|im_end|>', { invocationIndex: 1 })]
    expect(buildTrajectories(calls, { onDivergence: 'fail' }).trajectories.map((t) => t.callIndices)).toEqual([
      [0, 1],
      [2],
    ])
  })

  it('a new invocation that continues the conversation still extends it', () => {
    const next = [...afterTool, assistant('The sum is 5.'), user('And 5 + 5?')]
    const calls = [...episode(0, 0), qwen3Call(2, next, '10.<|im_end|>', { invocationIndex: 1 })]
    const { trajectories, divergences } = buildTrajectories(calls)
    expect(divergences).toEqual([])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0, 1, 2]])
  })

  it('within one invocation, a prompt that falls back to a prefix is still a divergence (history rewritten)', () => {
    const calls = [...episode(0, 0), qwen3Call(2, question, 'Again.<|im_end|>', { invocationIndex: 0 })]
    const { divergences } = buildTrajectories(calls)
    expect(divergences).toHaveLength(1)
    expect(divergences[0]).toMatchObject({ callIndex: 2, previousCallIndex: 1 })
  })
})
