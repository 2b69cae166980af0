import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { describe, expect, it } from 'vitest'
import {
  classifyDivergence,
  type DivergenceInput,
  QWEN3_SPECIAL_IDS,
  refineWithText,
  textRequests,
} from './divergence.js'

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

describe('refineWithText (ids + decoded text)', () => {
  const tokenizer = loadQwen3Tokenizer()
  const encode = (text: string): number[] => tokenizer.encode(text)
  const refine = (held: number[], p: number, next: number[]) => {
    let j = 0
    while (held[j] === next[j]) j++
    const at = input(held, p, next, j)
    const texts = textRequests(at).map((ids) => (ids.length === 0 ? '' : tokenizer.decode(ids)))
    return refineWithText(at, classifyDivergence(at), texts).classified
  }
  const prompt = encode('<|im_start|>user\nGroup the rows.<|im_end|>\n<|im_start|>assistant\n')

  it('a re-split at the first difference is retokenization even when the same turn is re-serialized later', () => {
    // The model sampled `H`+`AVING` and compact tool JSON; the template re-tokenized HAVING and re-dumped the JSON.
    const tail = (args: string): number[] =>
      encode(` clause\n<tool_call>\n{"name": "sql", "arguments": ${args}}\n</tool_call>`)
    const held = [...prompt, 39, 83722, ...tail('{"q":"x"}'), S.messageEnd]
    const next = [...prompt, ...encode('HAVING'), ...tail('{"q": "x"}'), S.messageEnd, 198]
    expect(encode('HAVING')).toEqual([72239, 1718])
    const classified = refine(held, prompt.length, next)
    expect(classified.cause).toBe('retokenization')
    expect(classified.detail).toContain('"HAVING"')
  })

  it('a real rewrite at the first difference stays what the ids say (compact JSON re-dumped)', () => {
    const call = (args: string): number[] => encode(`<tool_call>\n{"name": "sql", "arguments": ${args}}\n</tool_call>`)
    const held = [...prompt, ...call('{"q":"x"}'), S.messageEnd]
    const next = [...prompt, ...call('{"q": "x"}'), S.messageEnd, 198]
    expect(refine(held, prompt.length, next).cause).toBe('tool_call_reserialized')
  })
})
