import { describe, expect, it } from 'vitest'
import { getInvalidToolInput, invalidToolInputMessage, makeInvalidToolInput } from './invalid-tool-input.js'

describe('the invalid-JSON marker and its message (one module owns both)', () => {
  it("answers with Python strands-vllm 0.0.6's text, the name in angle brackets (issue 13 item 11)", () => {
    expect(invalidToolInputMessage('add')).toBe('Error: tool_name=<add> | tool input is not valid JSON')
  })

  it('round-trips the raw text and the parse error', () => {
    expect(getInvalidToolInput(makeInvalidToolInput('{"a": ', 'Unexpected end'))).toEqual({
      raw: '{"a": ',
      error: 'Unexpected end',
    })
    expect(getInvalidToolInput({ a: 1 })).toBeUndefined()
  })
})
