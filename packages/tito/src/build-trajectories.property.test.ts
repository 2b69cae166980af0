import type { TitoStatus } from '@strands-vllm/model'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildTrajectories, type DivergencePolicy } from './build-trajectories.js'
import type { TrajectoryCall } from './call-record.js'
import { TrajectoryDivergenceError } from './errors.js'

/**
 * Property tests for the trajectory builder (fast-check). The default is the full run (10,000 cases per
 * property, a few seconds each); `FC_NUM_RUNS` lowers or raises it.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 10_000)

/**
 * How a call's prompt relates to the previous call's prompt + response. `resample` is the same task again on the
 * same agent after `agent.messages = []`: a new invocation whose prompt is a strict prefix of what was held.
 */
type Step =
  | { kind: 'extend'; bridge: number[] }
  | { kind: 'retry' }
  | { kind: 'rewrite'; cut: number; tail: number[] }
  | { kind: 'fresh'; prompt: number[] }
  | { kind: 'resample'; cut: number }

interface CallSpec {
  step: Step
  /** Start a new agent invocation with this call (continued conversation, reset or resample). */
  newInvocation: boolean
  response: number[]
  status: TitoStatus
  finishReason: 'stop' | 'tool_calls' | 'length'
  logprobs: boolean
}

// A tiny vocabulary makes accidental prefix matches (the interesting cases) frequent; a large one keeps ids realistic.
const id = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 151_935 }))
const ids = (min: number, max: number) => fc.array(id, { minLength: min, maxLength: max })

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('extend' as const), bridge: ids(0, 6) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'retry' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rewrite' as const), cut: fc.nat(), tail: ids(0, 6) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fresh' as const), prompt: ids(1, 12) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resample' as const), cut: fc.nat() }) }
)

const callSpec: fc.Arbitrary<CallSpec> = fc.record({
  step,
  newInvocation: fc.boolean(),
  response: ids(0, 8),
  status: fc.constantFrom<TitoStatus>('exact', 'exact', 'exact', 'exact', 'incomplete', 'missing'),
  finishReason: fc.constantFrom('stop' as const, 'tool_calls' as const, 'length' as const),
  logprobs: fc.boolean(),
})

/** Turns specs into recorded calls: each prompt is built from the previous call's prompt + response. */
function toCalls(first: number[], specs: CallSpec[]): TrajectoryCall[] {
  const calls: TrajectoryCall[] = []
  let prompt = first
  let previous: { prompt: number[]; response: number[] } | undefined
  let invocation = 0
  specs.forEach((spec, callIndex) => {
    const s = spec.step
    if (previous) {
      const held = [...previous.prompt, ...previous.response]
      if (s.kind === 'extend') prompt = [...held, ...s.bridge]
      else if (s.kind === 'retry') prompt = previous.prompt
      else if (s.kind === 'rewrite') prompt = [...held.slice(0, s.cut % (held.length + 1)), ...s.tail]
      else if (s.kind === 'resample') prompt = held.slice(0, 1 + (s.cut % Math.max(1, held.length - 1)))
      else prompt = s.prompt
      if (prompt.length === 0) prompt = [0]
      // A retry stays in its invocation; a resample is always a new one.
      if (s.kind === 'resample' || (spec.newInvocation && s.kind !== 'retry')) invocation++
    }
    const call: TrajectoryCall = {
      callIndex,
      invocationIndex: invocation,
      attempt: callIndex > 0 && s.kind === 'retry' ? 2 : 1,
      status: spec.status,
      finishReason: spec.finishReason,
      promptTokenIds: prompt,
      tokenIds: spec.response,
    }
    if (spec.logprobs) call.logprobs = spec.response.map((_, i) => -(i + 1) / 8)
    calls.push(call)
    previous = { prompt, response: spec.response }
  })
  return calls
}

const scenario = fc.record({
  first: ids(1, 12),
  specs: fc.array(callSpec, { minLength: 1, maxLength: 10 }),
  policy: fc.constantFrom<DivergencePolicy>('split', 'trust-server'),
  bridgeTruncated: fc.boolean(),
})

/**
 * The calls that start a new episode by construction: a new invocation whose prompt is a strict prefix of the
 * sequence the builder holds (the last included call's prompt + response, which the first property proves).
 */
function resamples(calls: readonly TrajectoryCall[]): Set<number> {
  const out = new Set<number>()
  let held: { ids: number[]; invocation: number | undefined } | undefined
  calls.forEach((c, i) => {
    // Every exact call with ids is linked when it comes (a later retry or rebase may drop it afterwards).
    if (c.status !== 'exact') return
    const p = c.promptTokenIds!
    if (
      held &&
      c.invocationIndex !== held.invocation &&
      p.length < held.ids.length &&
      p.every((id, k) => id === held!.ids[k])
    ) {
      out.add(i)
    }
    held = { ids: [...p, ...c.tokenIds!], invocation: c.invocationIndex }
  })
  return out
}

describe('buildTrajectories properties', () => {
  it('never throws, and every trajectory is exactly its last call’s prompt + response', () => {
    fc.assert(
      fc.property(scenario, ({ first, specs, policy, bridgeTruncated }) => {
        const calls = toCalls(first, specs)
        const { trajectories } = buildTrajectories(calls, { onDivergence: policy, bridgeTruncated })
        for (const t of trajectories) {
          const last = calls[t.callIndices[t.callIndices.length - 1]!]!
          expect(Array.from(t.tokenIds)).toEqual([...last.promptTokenIds!, ...last.tokenIds!])
          // Segments tile the sequence with no gap or overlap.
          let at = 0
          for (const s of t.segments) {
            expect(s.start).toBe(at)
            at += s.length
          }
          expect(at).toBe(t.length)
        }
      }),
      { numRuns }
    )
  })

  it('the mask is 1 exactly on sampled ids, with their logprobs, and every call is accounted for once', () => {
    fc.assert(
      fc.property(scenario, ({ first, specs, policy, bridgeTruncated }) => {
        const calls = toCalls(first, specs)
        const result = buildTrajectories(calls, { onDivergence: policy, bridgeTruncated })
        const seen = new Map<number, string>()
        for (const t of result.trajectories) {
          const mask = t.lossMask
          const logprobs = t.logprobs
          const expected = new Uint8Array(t.length)
          let sampled = 0
          for (const s of t.segments) {
            if (s.kind !== 'response') continue
            const call = calls[s.callIndex!]!
            expect(t.callIndices).toContain(s.callIndex)
            // A response segment holds that call's sampled ids (a prefix of them when trust-server rebased it).
            const held = Array.from(t.tokenIds.subarray(s.start, s.start + s.length))
            expect(held).toEqual(call.tokenIds!.slice(0, s.length))
            for (let i = 0; i < s.length; i++) {
              expected[s.start + i] = 1
              expect(logprobs[s.start + i]).toBe(call.logprobs ? call.logprobs[i] : null)
            }
            sampled += s.length
          }
          expect(Array.from(mask)).toEqual(Array.from(expected))
          for (let i = 0; i < t.length; i++) if (mask[i] === 0) expect(logprobs[i]).toBeNull()
          const callTokens = t.callIndices.reduce((n, c) => n + calls[c]!.tokenIds!.length, 0)
          if (policy === 'split') expect(sampled).toBe(callTokens)
          else expect(sampled).toBeLessThanOrEqual(callTokens)
          for (const c of t.callIndices) {
            expect(seen.has(c)).toBe(false)
            seen.set(c, 'included')
          }
        }
        for (const e of result.excluded) {
          expect(seen.has(e.callIndex)).toBe(false)
          seen.set(e.callIndex, 'excluded')
        }
        expect(seen.size).toBe(calls.length)
        // Only accepted (exact) calls are ever trained on.
        for (const t of result.trajectories) for (const c of t.callIndices) expect(calls[c]!.status).toBe('exact')
      }),
      { numRuns }
    )
  })

  it('calls that always extend form one trajectory whose sampled tokens are all the responses', () => {
    fc.assert(
      fc.property(
        ids(1, 12),
        fc.array(fc.record({ bridge: ids(1, 6), response: ids(1, 8) }), { minLength: 1, maxLength: 8 }),
        (first, steps) => {
          const specs: CallSpec[] = steps.map((s) => ({
            step: { kind: 'extend', bridge: s.bridge },
            newInvocation: false,
            response: s.response,
            status: 'exact',
            finishReason: 'tool_calls',
            logprobs: true,
          }))
          const calls = toCalls(first, specs)
          const { trajectories, divergences, excluded } = buildTrajectories(calls)
          expect(divergences).toEqual([])
          expect(excluded).toEqual([])
          expect(trajectories).toHaveLength(1)
          const mask = trajectories[0]!.lossMask
          expect(mask.reduce((n, m) => n + m, 0)).toBe(steps.reduce((n, s) => n + s.response.length, 0))
        }
      ),
      { numRuns }
    )
  })

  it('a new invocation whose prompt is a prefix of what is held is a new episode under every policy, never a divergence', () => {
    fc.assert(
      fc.property(scenario, ({ first, specs, policy, bridgeTruncated }) => {
        const calls = toCalls(first, specs)
        const fresh = resamples(calls)
        const result = buildTrajectories(calls, { onDivergence: policy, bridgeTruncated })
        // One conversation here, so call index = position.
        for (const l of result.calls) if (fresh.has(l.callIndex)) expect(l.relation).toBe('first')
        for (const d of result.divergences) expect(fresh.has(d.callIndex)).toBe(false)
        // `fail` throws only for real divergences, never for a resample.
        try {
          buildTrajectories(calls, { onDivergence: 'fail', bridgeTruncated })
        } catch (error) {
          expect(TrajectoryDivergenceError.isInstance(error)).toBe(true)
          expect(fresh.has((error as TrajectoryDivergenceError).divergence.callIndex)).toBe(false)
        }
      }),
      { numRuns }
    )
  })

  it('one link or one exclusion per call, by position, and causes sit on the diverging link', () => {
    fc.assert(
      fc.property(scenario, ({ first, specs, policy, bridgeTruncated }) => {
        const calls = toCalls(first, specs)
        const result = buildTrajectories(calls, { onDivergence: policy, bridgeTruncated })
        const positions = [...result.calls.map((l) => l.position), ...result.excluded.map((e) => e.position)]
        expect([...positions].sort((a, b) => a - b)).toEqual(calls.map((_, i) => i))
        const diverged = new Map(result.divergences.map((d) => [d.position, d.cause]))
        for (const l of result.calls) {
          if (l.relation === 'diverged' || l.relation === 'rebased') expect(l.cause).toBe(diverged.get(l.position))
          else expect(l.cause).toBeNull()
        }
      }),
      { numRuns }
    )
  })
})
