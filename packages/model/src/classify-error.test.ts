import { describe, expect, it } from 'vitest'
import { errorMessageFromBody, reasonFromBody } from './classify-error.js'

describe('errorMessageFromBody', () => {
  it("reads vLLM's nested and flat shapes, a gateway's string error with its reason, and FastAPI's detail", () => {
    expect(errorMessageFromBody('{"error":{"message":"bad","code":400}}')).toBe('bad')
    expect(errorMessageFromBody('{"object":"error","message":"flat"}')).toBe('flat')
    // Agent Lightning's pause body: `error` is a string, not vLLM's object.
    expect(errorMessageFromBody('{"error":"gateway paused","reason":"weight sync"}')).toBe(
      'gateway paused (weight sync)'
    )
    expect(reasonFromBody('{"error":"gateway paused","reason":"weight sync"}')).toBe('weight sync')
    expect(errorMessageFromBody('{"detail":"Streaming responses are not supported"}')).toBe(
      'Streaming responses are not supported'
    )
    expect(errorMessageFromBody('not json')).toBe('not json')
  })
})
