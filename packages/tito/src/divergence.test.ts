import { describe, expect, it } from 'vitest'
import { classifyDivergence, type DivergenceInput, QWEN3_SPECIAL_IDS } from './divergence.js'

const S = QWEN3_SPECIAL_IDS
const input = (
  held: number[],
  p: number,
  next: number[],
  index: number,
  finish: string | null = 'stop'
): DivergenceInput => ({
  held,
  previousPromptLength: p,
  next,
  index,
  previousFinishReason: finish,
  special: S,
})

describe('classifyDivergence (ids only)', () => {
  it('separator_missing: the response ended with <|endoftext|> where the template writes <|im_end|>\\n', () => {
    const held = [S.messageStart, 872, 198, 9707, S.messageStart, 77091, 198, 5, 6, 151643]
    const next = [...held.slice(0, 9), S.messageEnd, 198, S.messageStart]
    expect(classifyDivergence(input(held, 7, next, 9)).cause).toBe('separator_missing')
  })

  it('tool_call_reserialized when the difference sits inside <tool_call>…</tool_call>', () => {
    const held = [S.messageStart, 77091, 198, S.toolCallStart, 198, 90, 1, 2, S.toolCallEnd, S.messageEnd]
    const next = [...held.slice(0, 7), 3, 4, S.toolCallEnd, S.messageEnd]
    expect(classifyDivergence(input(held, 3, next, 7)).cause).toBe('tool_call_reserialized')
  })

  it('unknown when nothing explains a difference in the response', () => {
    const held = [S.messageStart, 77091, 198, 5, 6, 7, S.messageEnd]
    const next = [S.messageStart, 77091, 198, 5, 8, 7, S.messageEnd]
    expect(classifyDivergence(input(held, 3, next, 4)).cause).toBe('unknown')
  })

  it('carries no unused special-token fields (template_changed is decided by position alone)', () => {
    expect(QWEN3_SPECIAL_IDS).not.toHaveProperty('firstSpecialId')
  })
})
