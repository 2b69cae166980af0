import { INVALID_TOOL_INPUT_KEY as MODEL_KEY, makeInvalidToolInput } from '@strands-vllm/model'
import { describe, expect, it } from 'vitest'
import { INVALID_TOOL_INPUT_KEY, isInvalidJsonMarker } from './invalid-json-marker.js'

describe('invalid-JSON marker', () => {
  it('uses the same key as @strands-vllm/model', () => {
    expect(INVALID_TOOL_INPUT_KEY).toBe(MODEL_KEY)
  })

  it("recognises the model package's marker object and nothing else", () => {
    expect(isInvalidJsonMarker(makeInvalidToolInput('{"a": ', 'Unexpected end of JSON input'))).toBe(true)
    expect(isInvalidJsonMarker({ [INVALID_TOOL_INPUT_KEY]: 'x' })).toBe(false)
    expect(isInvalidJsonMarker({ [INVALID_TOOL_INPUT_KEY]: { raw: 1 } })).toBe(false)
    expect(isInvalidJsonMarker({ raw: '{' })).toBe(false)
  })
})
