import { describe, expect, it } from 'vitest'
import { TokenCapture } from './token-capture.js'

function capture(logprobs = false): TokenCapture {
  return new TokenCapture({ logprobs, topLogprobs: false, sampling: {}, eosTokenIds: [151645], startMs: 0 })
}

describe('TokenCapture', () => {
  it('is exact when ids match usage and the end is consistent', () => {
    const c = capture(true)
    c.addPromptTokenIds([1, 2, 3])
    c.addChoice({ token_ids: [10], logprobs: { content: [{ logprob: -0.5 }] } })
    c.addChoice({ token_ids: [151645], logprobs: { content: [{ logprob: -0.1 }] }, finish_reason: 'stop' })
    c.finishReason = 'stop'
    c.setUsage({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })
    const fields = c.toFields()
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.reasons).toEqual([])
    expect(fields.promptTokenIds).toEqual([1, 2, 3])
    expect(fields.tokenIds).toEqual([10, 151645])
    expect(fields.logprobs).toEqual([-0.5, -0.1])
  })

  it('rejects booleans, floats and strings instead of coercing them', () => {
    const c = capture()
    c.addPromptTokenIds([1, 2])
    c.addChoice({ token_ids: [true, 1.5, '7', 8] })
    c.setUsage({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 })
    const fields = c.toFields()
    expect(fields.tokenIds).toEqual([8])
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toContain('token_ids_invalid')
  })

  it('flags prompt ids missing, repeated or invalid, and count mismatches', () => {
    const c = capture()
    c.addChoice({ token_ids: [5] })
    c.setUsage({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
    expect(c.toFields().tito.reasons.map((r) => r.code)).toEqual(['prompt_ids_missing', 'completion_count_mismatch'])

    const d = capture()
    d.addPromptTokenIds([1])
    d.addPromptTokenIds([1])
    d.addChoice({ token_ids: [5] })
    d.setUsage({ prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 })
    expect(d.toFields().tito.reasons.map((r) => r.code)).toEqual(['prompt_ids_repeated', 'prompt_count_mismatch'])

    const e = capture()
    e.addPromptTokenIds([1, false])
    expect(e.toFields().tito.reasons.map((r) => r.code)).toContain('prompt_ids_invalid')
  })

  it('is missing when no ids came at all', () => {
    const c = capture()
    c.setUsage({ prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 })
    expect(c.toFields().tito.status).toBe('missing')
  })

  it('flags logprob counts that do not line up with ids', () => {
    const c = capture(true)
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [5, 6], logprobs: { content: [{ logprob: -1 }] } })
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    expect(c.toFields().tito.reasons.map((r) => r.code)).toEqual(['logprobs_count_mismatch'])
  })

  it('checks the end of the sequence against stop_reason and EOS', () => {
    const c = capture()
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [5] })
    c.finishReason = 'stop'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })
    expect(c.toFields().tito.reasons.map((r) => r.code)).toEqual(['eos_inconsistent'])
  })

  it('never reports a failed call as exact', () => {
    const c = capture()
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [5] })
    c.setUsage({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })
    expect(c.toFields({ code: 'stream_error', message: 'boom' }).tito.status).toBe('incomplete')
  })
})
