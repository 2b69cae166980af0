import type { TitoReasonCode, TitoStatus } from '@strands-vllm/model'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TitoCallRecord } from './call-record.js'
import { canonicalTitoCall, fromTitoRecords, parseTitoJsonl, type TitoJsonlWarning, toTitoJsonl } from './tito-jsonl.js'

const numRuns = Number(process.env.FC_NUM_RUNS ?? 500)

const tokenId = fc.integer({ min: 0, max: 151_935 })
/** Mostly token ids, sometimes what a broken wire gives (negative, fractional, too large). */
const maybeBadIds = fc.oneof(
  { weight: 8, arbitrary: fc.array(tokenId, { maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.oneof(tokenId, fc.constantFrom(-1, 1.5, 2 ** 31, Number.NaN)), {
      minLength: 1,
      maxLength: 6,
    }),
  }
)
const logprob = fc.double({ min: -30, max: 0, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x))
const text = fc.string({ maxLength: 6 })
const json = fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v))

/** Any record the recorder can produce from any model version's fields (aligned or not, valid ids or not). */
const recordArb: fc.Arbitrary<TitoCallRecord> = fc
  .record({
    callIndex: fc.nat(50),
    invocationIndex: fc.nat(5),
    attempt: fc.integer({ min: 1, max: 4 }),
    rolloutId: fc.option(text, { nil: undefined }),
    prompt: fc.option(maybeBadIds, { nil: undefined }),
    ids: fc.option(maybeBadIds, { nil: undefined }),
    logprobValues: fc.array(logprob, { maxLength: 12 }),
    logprobMode: fc.constantFrom('aligned', 'none', 'short', 'with-null', 'with-nan'),
    withTokens: fc.boolean(),
    withTops: fc.boolean(),
    status: fc.constantFrom<TitoStatus>('exact', 'exact', 'incomplete', 'missing'),
    reasons: fc.array(
      fc.record({
        code: fc.constantFrom<TitoReasonCode>('stream_error', 'eos_inconsistent', 'usage_missing'),
        message: text,
      })
    ),
    finishReason: fc.option(fc.constantFrom('stop', 'length', 'tool_calls', 'abort', 'repetition', 'weird'), {
      nil: null,
    }),
    stopReason: fc.oneof(fc.constant(null), tokenId, text),
    agentStopReason: fc.option(fc.constantFrom('endTurn', 'toolUse', 'maxTokens'), { nil: undefined }),
    usage: fc.option(fc.record({ promptTokens: fc.nat(), completionTokens: fc.nat(), totalTokens: fc.nat() }), {
      nil: null,
    }),
    responseId: fc.option(text, { nil: null }),
    model: fc.option(text, { nil: null }),
    sampling: json as fc.Arbitrary<Record<string, unknown>>,
    toolUses: fc.array(fc.record({ id: text, name: text }), { maxLength: 2 }),
    timing: fc.record({
      startMs: fc.nat(),
      firstByteMs: fc.option(fc.nat(), { nil: null }),
      endMs: fc.nat(),
    }),
    error: fc.option(fc.record({ name: text, message: text }), { nil: undefined }),
    mode: fc.option(fc.constantFrom('chat' as const, 'token-in' as const), { nil: undefined }),
    transport: fc.option(fc.constantFrom('stream' as const, 'json' as const), { nil: undefined }),
    sessionId: fc.option(fc.option(text, { nil: null }), { nil: undefined }),
    pauses: fc.option(
      fc.array(
        fc.record({
          status: fc.constant(429),
          retryAfterMs: fc.nat(),
          waitedMs: fc.nat(),
          reason: fc.option(text, { nil: null }),
        })
      ),
      { nil: undefined }
    ),
    tokenIn: fc.option(
      fc.record({
        prompt: fc.constantFrom('rendered' as const, 'extended' as const, 'retry' as const),
        renderReason: fc.constantFrom(null, 'first_call' as const, 'messages_reset' as const),
        renderer: fc.constantFrom('server' as const, 'local' as const),
        bridgeLength: fc.option(fc.nat(), { nil: null }),
        synthesizedClose: fc.boolean(),
        previousLength: fc.option(fc.nat(), { nil: null }),
      }),
      { nil: undefined }
    ),
  })
  .map((r) => {
    const call: TitoCallRecord = {
      callIndex: r.callIndex,
      invocationIndex: r.invocationIndex,
      attempt: r.attempt,
      status: r.status,
      reasons: r.reasons,
      finishReason: r.finishReason,
      stopReason: r.stopReason,
      usage: r.usage,
      responseId: r.responseId,
      model: r.model,
      sampling: r.sampling,
      toolUses: r.toolUses,
      timing: r.timing,
    }
    if (r.rolloutId !== undefined) call.rolloutId = r.rolloutId
    if (r.prompt) call.promptTokenIds = r.prompt
    if (r.ids) {
      call.tokenIds = r.ids
      const n = r.ids.length
      const lps = r.ids.map((_, i) => r.logprobValues[i] ?? -(i + 1) / 16)
      if (r.logprobMode === 'aligned') call.logprobs = lps
      else if (r.logprobMode === 'short') call.logprobs = lps.slice(1)
      else if (r.logprobMode === 'with-null' && n > 0) call.logprobs = [...lps.slice(1), null as unknown as number]
      else if (r.logprobMode === 'with-nan' && n > 0) call.logprobs = [Number.NaN, ...lps.slice(1)]
      if (call.logprobs && r.withTokens) call.logprobTokens = call.logprobs.map((_, i) => `t${i}`)
      if (call.logprobs && r.withTops) call.topLogprobs = call.logprobs.map(() => [{ token: 'x', logprob: -1 }])
    }
    if (r.agentStopReason !== undefined) call.agentStopReason = r.agentStopReason
    if (r.error !== undefined) call.error = r.error
    if (r.mode !== undefined) call.mode = r.mode
    if (r.transport !== undefined) call.transport = r.transport
    if (r.sessionId !== undefined) call.sessionId = r.sessionId
    if (r.pauses !== undefined) call.pauses = r.pauses
    if (r.tokenIn !== undefined) call.tokenIn = r.tokenIn
    return call
  })

describe('canonical JSONL round trip (property)', () => {
  it('any record the recorder can produce is written so that its reader accepts it, unchanged or canonicalized', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 6 }), (calls) => {
        const warnings: TitoJsonlWarning[] = []
        const back = fromTitoRecords(parseTitoJsonl(toTitoJsonl(calls), { onWarning: (w) => warnings.push(w) }))
        expect(warnings).toEqual([])
        const canonical = calls.map(canonicalTitoCall)
        expect(back).toEqual(JSON.parse(JSON.stringify(canonical)))
        canonical.forEach((c, i) => {
          // Canonical records are a fixed point, and a record that was already valid passes unchanged.
          expect(canonicalTitoCall(c)).toEqual(c)
          if (c.reasons.length === calls[i]!.reasons.length) expect(c).toEqual(calls[i])
          // Logprobs only ever come back aligned with the ids.
          if (c.logprobs) expect(c.logprobs).toHaveLength(c.tokenIds!.length)
          if (c.status === 'exact') expect(c.promptTokenIds && c.tokenIds).toBeTruthy()
        })
      }),
      { numRuns }
    )
  })
})
