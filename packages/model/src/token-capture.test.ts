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

  it('flags logprob counts that do not line up with ids, and then omits the logprobs', () => {
    const c = capture(true)
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [5, 6], logprobs: { content: [{ logprob: -1 }] } })
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['logprobs_count_mismatch'])
    expect(fields.logprobs).toBeUndefined()
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

  // Issue 13 item 7: a chunk with 2 ids and 1 logprob, then one with 1 id and 2 logprobs, used to be `exact` with
  // token 11 carrying token 12's logprob.
  it('checks logprob alignment per chunk: equal totals with a shifted pairing are not exact', () => {
    const c = capture(true)
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [10, 11], logprobs: { content: [{ token: 'a', logprob: -0.1 }] } })
    c.addChoice({
      token_ids: [151645],
      logprobs: {
        content: [
          { token: 'b', logprob: -0.2 },
          { token: 'c', logprob: -0.3 },
        ],
      },
      finish_reason: 'stop',
    })
    c.finishReason = 'stop'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 })
    const fields = c.toFields()
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['logprobs_misaligned'])
    // Misaligned logprobs are never paired with ids.
    expect(fields.logprobs).toBeUndefined()
    expect(fields.logprobTokens).toBeUndefined()
    expect(fields.tokenIds).toEqual([10, 11, 151645])
  })

  it('keeps the token text of each logprob entry (logprobTokens) aligned with the ids', () => {
    const c = capture(true)
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [10], logprobs: { content: [{ token: 'Hi', logprob: -0.5 }] } })
    c.addChoice({ token_ids: [151645], logprobs: { content: [{ token: '', logprob: -0.01 }] } })
    c.finishReason = 'stop'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tito.status).toBe('exact')
    expect(fields.logprobTokens).toEqual(['Hi', ''])
    expect(fields.logprobs).toEqual([-0.5, -0.01])
  })

  it('omits logprobs when an entry is not a finite number', () => {
    const c = capture(true)
    c.addPromptTokenIds([1])
    c.addChoice({
      token_ids: [10, 11],
      logprobs: {
        content: [
          { token: 'a', logprob: null },
          { token: 'b', logprob: -1 },
        ],
      },
    })
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tito.reasons.map((r) => r.code)).toContain('logprobs_invalid')
    expect(fields.logprobs).toBeUndefined()
  })

  // Issue 13 item 8: chunks for index 0 and 1 used to be merged into one exact capture.
  it('never merges a choice index other than 0: it is a reason', () => {
    const c = capture()
    c.addPromptTokenIds([1])
    expect(c.addChoice({ index: 0, token_ids: [10] })).toBe(true)
    expect(c.addChoice({ index: 1, token_ids: [20] })).toBe(false)
    c.addChoice({ index: 0, token_ids: [151645], finish_reason: 'stop' })
    c.finishReason = 'stop'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tokenIds).toEqual([10, 151645])
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['choice_index_unexpected'])
  })

  // Issue 13 item 6.
  it("finish_reason 'abort' is never exact (finish_abort)", () => {
    const c = capture()
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [10, 11] })
    c.finishReason = 'abort'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['finish_abort'])
  })

  it("finish_reason 'repetition' is recorded as it is, exact, and never EOS-checked as a stop", () => {
    const c = capture()
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [10, 10, 10] })
    c.finishReason = 'repetition'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 })
    const fields = c.toFields()
    expect(fields.tito.finishReason).toBe('repetition')
    expect(fields.tito.status).toBe('exact')
  })

  it('an unknown finish reason is not exact (finish_unknown)', () => {
    const c = capture()
    c.addPromptTokenIds([1])
    c.addChoice({ token_ids: [10, 151645] })
    c.finishReason = 'error'
    c.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const fields = c.toFields()
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['finish_unknown'])
    expect(fields.tito.reasons[0]?.message).toContain("'error'")
  })

  it('reads completions choices: prompt ids on the choice, parallel-array logprobs, top maps', () => {
    const c = new TokenCapture({ logprobs: true, topLogprobs: true, sampling: {}, eosTokenIds: [151645], startMs: 0 })
    c.addCompletionChoice({
      index: 0,
      text: 'Hi',
      prompt_token_ids: [1, 2],
      token_ids: [10],
      logprobs: { tokens: ['Hi'], token_logprobs: [-0.5], top_logprobs: [{ Hi: -0.5, Hey: -1.5 }] },
    })
    c.addCompletionChoice({
      index: 0,
      text: '',
      token_ids: [151645, 7],
      logprobs: { tokens: ['', 'x'], token_logprobs: [-0.1], top_logprobs: [{}] },
    })
    c.setUsage({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
    const fields = c.toFields()
    expect(fields.promptTokenIds).toEqual([1, 2])
    expect(fields.tokenIds).toEqual([10, 151645, 7])
    expect(fields.tito.reasons.map((r) => r.code)).toContain('logprobs_invalid')
    expect(fields.logprobs).toBeUndefined()

    const d = new TokenCapture({ logprobs: true, topLogprobs: true, sampling: {}, eosTokenIds: [151645], startMs: 0 })
    d.addCompletionChoice({
      prompt_token_ids: [1],
      token_ids: [10, 151645],
      logprobs: { tokens: ['Hi', ''], token_logprobs: [-0.5, -0.1], top_logprobs: [{ Hi: -0.5 }, { '': -0.1 }] },
      finish_reason: 'stop',
    })
    d.finish('stop', null)
    d.setUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
    const ok = d.toFields()
    expect(ok.tito.status).toBe('exact')
    expect(ok.logprobs).toEqual([-0.5, -0.1])
    expect(ok.logprobTokens).toEqual(['Hi', ''])
    expect(ok.topLogprobs).toEqual([[{ token: 'Hi', logprob: -0.5 }], [{ token: '', logprob: -0.1 }]])
  })

  it('carries mode, transport, session id and pauses on every record', () => {
    const c = new TokenCapture({
      logprobs: false,
      topLogprobs: false,
      sampling: {},
      eosTokenIds: undefined,
      startMs: 0,
      transport: 'json',
      sessionId: 'rollout-7',
    })
    c.pauses.push({ status: 429, retryAfterMs: 1000, waitedMs: 1001, reason: 'weight sync' })
    const { tito } = c.toFields()
    expect(tito).toMatchObject({ mode: 'chat', transport: 'json', sessionId: 'rollout-7' })
    expect(tito.pauses).toEqual([{ status: 429, retryAfterMs: 1000, waitedMs: 1001, reason: 'weight sync' }])
  })
})
