import { describe, expect, it } from 'vitest'
import { buildTrajectories, type DivergencePolicy } from './build-trajectories.js'
import type { TitoCallRecord, TitoTokenIn } from './call-record.js'
import { TokenInInvariantError } from './errors.js'
import { exactCall } from './testing/exact-call.js'
import { fromTitoRecords, parseTitoJsonl, toTitoJsonl } from './tito-jsonl.js'

const rendered = (reason: TitoTokenIn['renderReason']): TitoTokenIn => ({
  prompt: 'rendered',
  renderReason: reason,
  renderer: 'server',
  bridgeLength: null,
  synthesizedClose: false,
  previousLength: null,
})
const extended = (previousLength: number, bridgeLength: number, synthesizedClose = false): TitoTokenIn => ({
  prompt: 'extended',
  renderReason: null,
  renderer: 'server',
  bridgeLength,
  synthesizedClose,
  previousLength,
})

function call(
  callIndex: number,
  prompt: number[],
  ids: number[],
  tokenIn: TitoTokenIn,
  extra: Partial<TitoCallRecord> = {}
) {
  return exactCall(callIndex, prompt, ids, {
    rolloutId: 'r-ti',
    logprobs: ids.map(() => -0.5),
    responseId: `cmpl-${callIndex}`,
    model: 'Qwen/Qwen3-8B',
    mode: 'token-in',
    transport: 'stream',
    sessionId: 's-1',
    pauses: [],
    tokenIn,
    ...extra,
  })
}

/** Three token-in calls; the first is cut by max_tokens, so the second's bridge starts with a synthesized close. */
function episode(): TitoCallRecord[] {
  const p0 = [151644, 872, 198, 9707, 151645, 198, 151644, 77091, 198]
  const s0 = [40, 1079]
  const bridge1 = [151645, 198, 151644, 872, 198, 11, 151645, 198, 151644, 77091, 198]
  const p1 = [...p0, ...s0, ...bridge1]
  const s1 = [42, 151645]
  const bridge2 = [198, 151644, 872, 198, 12, 151645, 198, 151644, 77091, 198]
  const p2 = [...p1, ...s1, ...bridge2]
  return [
    call(0, p0, s0, rendered('first_call'), { finishReason: 'length' }),
    call(1, p1, s1, extended(p0.length + s0.length, bridge1.length, true)),
    call(2, p2, [43, 151645], extended(p1.length + s1.length, bridge2.length)),
  ]
}

describe('token-in records in the builder (design "tito")', () => {
  it('extended prompts give one trajectory, even after a cut turn (the synthesized close is context)', () => {
    const calls = episode()
    const { trajectories, divergences, calls: links } = buildTrajectories(calls, { onDivergence: 'fail' })
    expect(divergences).toEqual([])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0, 1, 2]])
    expect(links.map((l) => [l.relation, l.bridgeLength])).toEqual([
      ['first', 9],
      ['extends', 11],
      ['extends', 10],
    ])
    expect(links[0]!.renderReason).toBe('first_call')
    const t = trajectories[0]!
    expect(Array.from(t.tokenIds)).toEqual([...calls[2]!.promptTokenIds!, ...calls[2]!.tokenIds!])
  })

  it.each<DivergencePolicy>(['split', 'trust-server', 'fail'])(
    'an "extended" prompt that does not extend is a TokenInInvariantError naming both calls and the position (%s)',
    (policy) => {
      const calls = episode()
      const broken = [...calls[2]!.promptTokenIds!]
      broken[12] = 7
      calls[2] = { ...calls[2]!, promptTokenIds: broken }
      let error: unknown
      try {
        buildTrajectories(calls, { onDivergence: policy })
      } catch (e) {
        error = e
      }
      expect(TokenInInvariantError.isInstance(error)).toBe(true)
      const e = error as TokenInInvariantError
      expect(e.details).toEqual({ callIndex: 2, previousCallIndex: 1, index: 12, rolloutId: 'r-ti' })
      expect(e.message).toMatch(
        /token-in call 2 of rollout "r-ti" .* call 1's prompt \+ sampled ids: first difference at index 12/
      )
    }
  )

  it('a declared previous length that disagrees with the records is an error too', () => {
    const calls = episode()
    calls[2] = { ...calls[2]!, tokenIn: extended(5, 10) }
    expect(() => buildTrajectories(calls)).toThrow(TokenInInvariantError)
  })

  it('a "rendered" prompt starts a new trajectory with its render reason, even when it happens to extend', () => {
    const calls = episode()
    calls[2] = { ...calls[2]!, tokenIn: rendered('history_changed') }
    const { trajectories, divergences, calls: links } = buildTrajectories(calls)
    expect(divergences).toEqual([])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0, 1], [2]])
    expect(links[2]).toMatchObject({ relation: 'first', renderReason: 'history_changed', previousCallIndex: null })
  })

  it('a "retry" prompt (the same prompt resent) replaces the call it retries', () => {
    const calls = episode()
    const retry = call(3, calls[2]!.promptTokenIds!, [44, 151645], {
      ...extended(0, 0),
      prompt: 'retry',
      previousLength: null,
      bridgeLength: null,
    })
    const { trajectories, excluded } = buildTrajectories([...calls, retry])
    expect(trajectories[0]!.callIndices).toEqual([0, 1, 3])
    expect(excluded).toEqual([expect.objectContaining({ callIndex: 2, supersededBy: 3 })])
  })

  it('the JSONL carries mode, transport, session id, pauses and token_in, and reads them back', () => {
    const calls = episode()
    calls[1]!.pauses = [{ status: 429, retryAfterMs: 2000, waitedMs: 2004, reason: 'weight sync' }]
    const records = parseTitoJsonl(toTitoJsonl(calls))
    expect(records[1]).toMatchObject({
      session_id: 's-1',
      request: {
        mode: 'token-in',
        transport: 'stream',
        token_in: {
          prompt: 'extended',
          render_reason: null,
          bridge_length: 11,
          synthesized_close: true,
          previous_length: 11,
        },
      },
      response: { pauses: [{ status: 429, retry_after_ms: 2000, waited_ms: 2004, reason: 'weight sync' }] },
    })
    expect(fromTitoRecords(records)).toEqual(calls)
  })
})
