import { describe, expect, it } from 'vitest'
import { endsInOpenThink } from './think-block.js'

describe('endsInOpenThink', () => {
  it('reads the tail of a prompt’s token strings (byte-level whitespace skipped)', () => {
    // Qwen3-Thinking-2507 / Qwen3.5: the generation prompt opens the block.
    expect(endsInOpenThink(['<|im_start|>', 'assistant', 'Ċ', '<think>', 'Ċ'])).toBe(true)
    // Original Qwen3, thinking on: the model writes <think> itself.
    expect(endsInOpenThink(['<|im_start|>', 'assistant', 'Ċ'])).toBe(false)
    // Thinking off: an empty, closed block.
    expect(endsInOpenThink(['<|im_start|>', 'assistant', 'Ċ', '<think>', 'ĊĊ', '</think>', 'ĊĊ'])).toBe(false)
    // A tokenizer that spells the tag in pieces.
    expect(endsInOpenThink(['▁assistant', '<0x0A>', '<', 'think', '>', '<0x0A>'])).toBe(true)
  })

  it('unknown without token strings', () => {
    expect(endsInOpenThink(undefined)).toBeUndefined()
  })
})
