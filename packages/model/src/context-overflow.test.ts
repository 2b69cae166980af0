import { describe, expect, it } from 'vitest'
import { isContextOverflowMessage } from './context-overflow.js'

describe('isContextOverflowMessage', () => {
  it('variant 1: prompt alone too long', () => {
    expect(
      isContextOverflowMessage(
        "This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages."
      )
    ).toBe(true)
  })

  it('variant 2: prompt plus max_tokens too long (with and without the parameter suffix)', () => {
    const text =
      "'max_tokens' or 'max_completion_tokens' is too large: 16384. This model's maximum context length is 65536 tokens and your request has 52189 input tokens (16384 > 65536 - 52189)."
    expect(isContextOverflowMessage(text)).toBe(true)
    expect(isContextOverflowMessage(`${text} (parameter=max_tokens, value=16384)`)).toBe(true)
  })

  it('variant 3: older builds', () => {
    expect(
      isContextOverflowMessage(
        "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion."
      )
    ).toBe(true)
  })

  it('variant 4: vLLM 0.16+', () => {
    expect(
      isContextOverflowMessage(
        "You passed 30000 input tokens and requested 4000 output tokens. However, the model's context length is only 32768 tokens, resulting in a maximum input length of 28768 tokens."
      )
    ).toBe(true)
  })

  it('rejects other 400s', () => {
    expect(
      isContextOverflowMessage('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')
    ).toBe(false)
    expect(isContextOverflowMessage('The model `x` does not exist.')).toBe(false)
    expect(isContextOverflowMessage(undefined)).toBe(false)
  })

  it('variant 5: the decoder prompt longer than max_model_len (issue 13 item 9)', () => {
    expect(
      isContextOverflowMessage('The decoder prompt (length 40000) is longer than the maximum model length of 32768.')
    ).toBe(true)
  })

  it("variant 6: input length exceeds the model's maximum context length (issue 13 item 9)", () => {
    expect(isContextOverflowMessage("Input length (40000) exceeds model's maximum context length (32768).")).toBe(true)
  })
})
