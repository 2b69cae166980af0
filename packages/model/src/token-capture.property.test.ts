import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TokenCapture } from './token-capture.js'
import type { WireChoice, WireUsage } from './wire.js'

/**
 * Property tests for the wire capture (fast-check). The default is the full run (10,000 cases per property,
 * 1–2 s each); `FC_NUM_RUNS` lowers or raises it. fast-check prints the seed of any counterexample, so it replays.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 10_000)
const EOS = [151645, 151643]

interface CallData {
  prompt: number[]
  /** Chunks of generated ids, as the stream splits them. */
  chunks: number[][]
  logprobs: boolean
}

const tokenId = fc.integer({ min: 0, max: 151_935 })

/** A consistent call: ids in chunks ending with EOS, one logprob per id, usage that matches. */
const consistentCall: fc.Arbitrary<CallData> = fc.record({
  prompt: fc.array(tokenId, { minLength: 1, maxLength: 40 }),
  chunks: fc
    .array(fc.array(tokenId, { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 12 })
    .map((chunks) => [...chunks, [EOS[0]!]]),
  logprobs: fc.boolean(),
})

function choicesOf(call: CallData): WireChoice[] {
  return call.chunks.map((ids, i) => ({
    index: 0,
    delta: { content: 'x' },
    token_ids: ids,
    ...(call.logprobs ? { logprobs: { content: ids.map((id) => ({ token: String(id), logprob: -0.5 })) } } : {}),
    ...(i === call.chunks.length - 1 ? { finish_reason: 'stop', stop_reason: null } : {}),
  }))
}

function usageOf(call: CallData): WireUsage {
  const completion = call.chunks.reduce((n, c) => n + c.length, 0)
  return {
    prompt_tokens: call.prompt.length,
    completion_tokens: completion,
    total_tokens: call.prompt.length + completion,
  }
}

function capture(
  call: { logprobs: boolean },
  prompt: unknown[] | undefined,
  choices: WireChoice[],
  usage: WireUsage | undefined
) {
  const c = new TokenCapture({
    logprobs: call.logprobs,
    topLogprobs: false,
    sampling: {},
    eosTokenIds: EOS,
    startMs: 0,
  })
  if (prompt !== undefined) c.addPromptTokenIds(prompt)
  for (const choice of choices) {
    c.addChoice(choice)
    if (choice.finish_reason) {
      c.finishReason = choice.finish_reason
      c.stopReason = choice.stop_reason ?? null
    }
  }
  if (usage) c.setUsage(usage)
  return c.toFields()
}

/** One way of making a consistent call inconsistent. Every one of them must cost the call its `exact`. */
type Corruption =
  | { kind: 'drop-id'; at: number }
  | { kind: 'extra-id'; id: number }
  | { kind: 'bad-id'; at: number; value: unknown }
  | { kind: 'bad-prompt-id'; at: number; value: unknown }
  | { kind: 'no-prompt' }
  | { kind: 'prompt-twice' }
  | { kind: 'usage-off'; field: 'prompt_tokens' | 'completion_tokens'; by: number }
  | { kind: 'no-usage' }
  | { kind: 'drop-logprob'; at: number }
  | { kind: 'bad-logprob'; at: number; value: unknown }
  | { kind: 'not-eos-end'; id: number }

const badValue = fc.oneof(
  fc.constant(-1),
  fc.double({ noInteger: true, noNaN: true }),
  fc.constant(Number.NaN),
  fc.constant(true),
  fc.constant(null),
  fc.string(),
  fc.constant(Number.POSITIVE_INFINITY)
)

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('drop-id' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extra-id' as const), id: tokenId }),
  fc.record({ kind: fc.constant('bad-id' as const), at: fc.nat(), value: badValue }),
  fc.record({ kind: fc.constant('bad-prompt-id' as const), at: fc.nat(), value: badValue }),
  fc.constant({ kind: 'no-prompt' as const }),
  fc.constant({ kind: 'prompt-twice' as const }),
  fc.record({
    kind: fc.constant('usage-off' as const),
    field: fc.constantFrom('prompt_tokens' as const, 'completion_tokens' as const),
    by: fc.integer({ min: -5, max: 5 }).filter((n) => n !== 0),
  }),
  fc.constant({ kind: 'no-usage' as const }),
  fc.record({ kind: fc.constant('drop-logprob' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('bad-logprob' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constant(Number.NaN), fc.constant(null), fc.string(), fc.constant(undefined)),
  }),
  fc.record({ kind: fc.constant('not-eos-end' as const), id: tokenId.filter((id) => !EOS.includes(id)) })
)

function corrupt(call: CallData, c: Corruption): { run: () => ReturnType<typeof capture>; applies: boolean } {
  const ids = call.chunks.flat()
  let prompt: unknown[] | undefined = [...call.prompt]
  let choices = choicesOf(call)
  let usage: WireUsage | undefined = usageOf(call)
  let promptTwice = false
  let applies = true
  const last = choices.length - 1
  switch (c.kind) {
    case 'drop-id': {
      // Drop one id from the wire while usage still counts it (vLLM #27482).
      const chunk = choices.findIndex((ch) => (ch.token_ids as number[]).length > 0)
      const list = [...(choices[chunk]!.token_ids as number[])]
      list.splice(c.at % list.length, 1)
      choices[chunk] = { ...choices[chunk]!, token_ids: list }
      // Logprobs stay aligned with what was sent, so only the count check can catch it.
      if (call.logprobs) choices[chunk]!.logprobs = { content: list.map((id) => ({ token: String(id), logprob: -1 })) }
      break
    }
    case 'extra-id':
      choices = [
        ...choices.slice(0, last),
        { ...choices[last]!, token_ids: [c.id, ...(choices[last]!.token_ids as number[])] },
      ]
      if (call.logprobs) choices[last]!.logprobs = { content: [{ logprob: -1 }, { logprob: -1 }] }
      break
    case 'bad-id': {
      const list = [...(choices[last]!.token_ids as unknown[])]
      list.splice(c.at % (list.length + 1), 0, c.value)
      choices[last] = { ...choices[last]!, token_ids: list }
      usage = { ...usage, completion_tokens: ids.length + 1 }
      break
    }
    case 'bad-prompt-id':
      prompt.splice(c.at % (prompt.length + 1), 1, c.value)
      break
    case 'no-prompt':
      prompt = undefined
      break
    case 'prompt-twice':
      promptTwice = true
      break
    case 'usage-off': {
      const value = (usage[c.field] ?? 0) + c.by
      if (value < 0) applies = false
      usage = { ...usage, [c.field]: value }
      break
    }
    case 'no-usage':
      usage = undefined
      break
    case 'drop-logprob':
    case 'bad-logprob': {
      const chunk = choices.findIndex((ch) => (ch.logprobs?.content?.length ?? 0) > 0)
      if (!call.logprobs || chunk < 0) {
        applies = false
        break
      }
      const content = [...choices[chunk]!.logprobs!.content!]
      const at = c.at % content.length
      if (c.kind === 'drop-logprob') content.splice(at, 1)
      else content[at] = { token: 'x', logprob: c.value }
      choices[chunk] = { ...choices[chunk]!, logprobs: { content } }
      break
    }
    case 'not-eos-end':
      choices[last] = { ...choices[last]!, token_ids: [c.id] }
      break
  }
  return {
    applies,
    run: () => {
      const c2 = new TokenCapture({
        logprobs: call.logprobs,
        topLogprobs: false,
        sampling: {},
        eosTokenIds: EOS,
        startMs: 0,
      })
      if (prompt !== undefined) c2.addPromptTokenIds(prompt)
      if (promptTwice) c2.addPromptTokenIds(prompt)
      for (const choice of choices) {
        c2.addChoice(choice)
        if (choice.finish_reason) {
          c2.finishReason = choice.finish_reason
          c2.stopReason = choice.stop_reason ?? null
        }
      }
      if (usage) c2.setUsage(usage)
      return c2.toFields()
    },
  }
}

/** Chunk-shaped but arbitrary JSON values, as a broken or hostile server could send. */
const anyJson = fc.jsonValue({ maxDepth: 2 })
const wireLikeChoice: fc.Arbitrary<WireChoice> = fc.record(
  {
    index: fc.oneof(fc.nat(), anyJson),
    token_ids: fc.oneof(fc.array(fc.oneof(tokenId, anyJson), { maxLength: 6 }), anyJson),
    logprobs: fc.oneof(
      fc.record({
        content: fc.oneof(
          fc.array(fc.record({ logprob: anyJson, token: fc.string() }), { maxLength: 6 }),
          fc.constant(null)
        ),
      }),
      fc.constant(null)
    ),
    finish_reason: fc.oneof(fc.constantFrom('stop', 'length', 'tool_calls'), anyJson),
    stop_reason: fc.oneof(tokenId, fc.string(), fc.constant(null)),
  },
  { requiredKeys: [] }
) as fc.Arbitrary<WireChoice>
/** Scalars only: an object with a hostile `toString` makes `setUsage` throw (see B4 below). */
const usageValue = fc.oneof(fc.nat(), fc.double(), fc.string(), fc.boolean(), fc.constant(null))
const wireLikeUsage = fc.record(
  { prompt_tokens: usageValue, completion_tokens: usageValue, total_tokens: usageValue },
  { requiredKeys: [] }
) as fc.Arbitrary<WireUsage>

describe('TokenCapture properties', () => {
  it('a consistent call is exact and its fields equal what was sent', () => {
    fc.assert(
      fc.property(consistentCall, (call) => {
        const fields = capture(call, call.prompt, choicesOf(call), usageOf(call))
        expect(fields.tito.reasons).toEqual([])
        expect(fields.tito.status).toBe('exact')
        expect(fields.promptTokenIds).toEqual(call.prompt)
        expect(fields.tokenIds).toEqual(call.chunks.flat())
        if (call.logprobs) expect(fields.logprobs).toHaveLength(fields.tokenIds!.length)
      }),
      { numRuns }
    )
  })

  it('any single inconsistency (ids vs usage, non-integers, missing or repeated prompt ids, logprob count) is never exact', () => {
    fc.assert(
      fc.property(consistentCall, corruption, (call, c) => {
        const { applies, run } = corrupt(call, c)
        fc.pre(applies)
        const fields = run()
        expect(fields.tito.status, `${c.kind}: ${JSON.stringify(fields.tito.reasons)}`).not.toBe('exact')
        expect(fields.tito.reasons.length).toBeGreaterThan(0)
        // Recorded ids are always clean non-negative integers: invalid entries are dropped, never coerced.
        for (const id of fields.tokenIds ?? []) expect(Number.isInteger(id) && id >= 0).toBe(true)
      }),
      { numRuns }
    )
  })

  it('arbitrary chunk-shaped values with well-formed logprob entries never throw, and ids stay clean', () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.array(fc.oneof(tokenId, anyJson), { maxLength: 8 }), anyJson), { nil: undefined }),
        fc.array(wireLikeChoice, { maxLength: 8 }),
        fc.option(wireLikeUsage, { nil: undefined }),
        fc.boolean(),
        (prompt, choices, usage, logprobs) => {
          const fields = capture({ logprobs }, prompt as unknown[] | undefined, choices, usage)
          for (const id of fields.tokenIds ?? []) expect(Number.isInteger(id) && id >= 0).toBe(true)
          if (fields.tito.status === 'exact') {
            // exact implies the counts the server reported match what was kept.
            expect(fields.tito.usage?.completionTokens).toBe(fields.tokenIds?.length)
            expect(fields.tito.usage?.promptTokens).toBe(fields.promptTokenIds?.length)
          }
        }
      ),
      { numRuns }
    )
  })

  // Found by this property (seed -438310256): a `null` entry used to throw a TypeError in addChoice.
  it('arbitrary JSON in logprobs.content never throws', () => {
    fc.assert(
      fc.property(fc.array(anyJson, { minLength: 1, maxLength: 6 }), (content) => {
        const fields = capture(
          { logprobs: true },
          [1],
          [{ token_ids: [1], logprobs: { content } } as unknown as WireChoice],
          undefined
        )
        if (
          content.some(
            (c) => typeof c !== 'object' || c === null || typeof (c as { logprob?: unknown }).logprob !== 'number'
          )
        ) {
          expect(fields.tito.status).not.toBe('exact')
        }
      }),
      { numRuns }
    )
  })

  it('usage values that are not non-negative integers never yield exact', () => {
    fc.assert(
      fc.property(anyJson, anyJson, (prompt, completion) => {
        const fields = capture({ logprobs: false }, [1, 2], [{ token_ids: [3] } as WireChoice], {
          prompt_tokens: prompt,
          completion_tokens: completion,
        } as unknown as WireUsage)
        const valid = prompt === 2 && completion === 1
        if (!valid) expect(fields.tito.status).not.toBe('exact')
      }),
      { numRuns }
    )
  })

  // Issue 13 item 7: equal totals, shifted pairing. Move k logprob entries from one chunk to another.
  it('logprob entries moved between chunks (totals equal) are never exact and never paired with ids', () => {
    const multi = consistentCall
      .map((call) => ({ ...call, logprobs: true }))
      .filter((call) => call.chunks.filter((c) => c.length > 0).length >= 2)
    fc.assert(
      fc.property(multi, fc.nat(), fc.nat(), (call, a, b) => {
        const choices = choicesOf(call)
        const withIds = choices.map((c, i) => [c, i] as const).filter(([c]) => (c.token_ids as number[]).length > 0)
        const [from] = withIds[a % withIds.length]!
        const [to] = withIds[(a + 1 + (b % (withIds.length - 1))) % withIds.length]!
        const source = from.logprobs!.content!
        const moved = source.slice(0, 1)
        from.logprobs = { content: source.slice(1) }
        to.logprobs = { content: [...to.logprobs!.content!, ...moved] }
        const fields = capture(call, call.prompt, choices, usageOf(call))
        expect(fields.tito.status).not.toBe('exact')
        expect(fields.tito.reasons.map((r) => r.code)).toContain('logprobs_misaligned')
        expect(fields.logprobs).toBeUndefined()
        expect(fields.tokenIds).toEqual(call.chunks.flat())
      }),
      { numRuns }
    )
  })

  // Issue 13 item 8: a chunk of another choice index anywhere never becomes part of choice 0.
  it('a chunk for a choice index other than 0 is never merged and never exact', () => {
    fc.assert(
      fc.property(
        consistentCall,
        fc.nat(),
        fc.integer({ min: 1, max: 7 }),
        fc.array(tokenId, { minLength: 1, maxLength: 3 }),
        (call, at, index, ids) => {
          const choices = choicesOf(call)
          const stray: WireChoice = { index, delta: { content: 'y' }, token_ids: ids }
          if (call.logprobs) stray.logprobs = { content: ids.map(() => ({ token: 'y', logprob: -1 })) }
          choices.splice(at % (choices.length + 1), 0, stray)
          const fields = capture(call, call.prompt, choices, usageOf(call))
          expect(fields.tito.status).not.toBe('exact')
          expect(fields.tito.reasons.map((r) => r.code)).toContain('choice_index_unexpected')
          expect(fields.tokenIds).toEqual(call.chunks.flat())
        }
      ),
      { numRuns }
    )
  })

  // Issue 13 item 6: only known finish reasons can be exact; abort never is; repetition stays exact.
  it('finish reasons: abort and unknown ones are never exact, repetition is exact without an EOS', () => {
    fc.assert(
      fc.property(
        consistentCall,
        fc.oneof(
          fc.constant('abort'),
          fc.constant('error'),
          fc.string().filter((s) => s.length > 0)
        ),
        (call, finish) => {
          const choices = choicesOf(call)
          choices[choices.length - 1]!.finish_reason = finish
          const fields = capture(call, call.prompt, choices, usageOf(call))
          const known = ['stop', 'length', 'tool_calls', 'repetition', 'content_filter'].includes(finish)
          if (!known) expect(fields.tito.status).not.toBe('exact')
          if (finish === 'repetition') expect(fields.tito.status).toBe('exact')
        }
      ),
      { numRuns }
    )
  })
})
