import { describe, expect, it } from 'vitest'
import type { WireMessage } from '../wire.js'
import { compareHistory, type HeldConversation, type RenderKeys, stableKey } from './history.js'

const keys: RenderKeys = { system: 'S', tools: '[]', template: 'null' }
const system: WireMessage = { role: 'system', content: 'S' }
const u1: WireMessage = { role: 'user', content: 'q1' }
const call = { id: 'c1', type: 'function' as const, function: { name: 'f', arguments: '{"a":1}' } }
const a1: WireMessage = { role: 'assistant', content: '', reasoning_content: 'r', tool_calls: [call] }
const t1: WireMessage = { role: 'tool', tool_call_id: 'c1', content: '42' }
const u2: WireMessage = { role: 'user', content: 'q2' }
const held = (extra: Partial<HeldConversation> = {}): HeldConversation => ({
  messages: [system, u1],
  assistant: a1,
  prompt: [1, 2],
  sampled: [3],
  extendable: true,
  keys,
  ...extra,
})

describe('compareHistory', () => {
  it('extends when the messages repeat what was sent, then the sampled assistant turn, then tool/user messages', () => {
    expect(compareHistory(held(), [system, u1, a1, t1], keys)).toEqual({ kind: 'extend', appended: [t1] })
    expect(compareHistory(held(), [system, u1, a1, t1, u2], keys)).toEqual({ kind: 'extend', appended: [t1, u2] })
  })

  it('tolerates the SDK’s INVALID_TOOL_NAME rename of a sampled name that fails its check (only that)', () => {
    const sampled: WireMessage = { ...a1, tool_calls: [{ ...call, function: { ...call.function, name: 'look up!' } }] }
    const renamed: WireMessage = {
      ...a1,
      tool_calls: [{ ...call, function: { ...call.function, name: 'INVALID_TOOL_NAME' } }],
    }
    expect(compareHistory(held({ assistant: sampled }), [system, u1, renamed, t1], keys).kind).toBe('extend')
    // A valid name that comes back renamed was not renamed by the SDK: the history changed.
    expect(compareHistory(held(), [system, u1, renamed, t1], keys)).toEqual({
      kind: 'render',
      reason: 'history_changed',
    })
  })

  it('names what changed', () => {
    const verdict = (messages: WireMessage[], k: Partial<RenderKeys> = {}, h = held()) =>
      compareHistory(h, messages, { ...keys, ...k })
    expect(compareHistory(undefined, [u1], keys)).toEqual({ kind: 'render', reason: 'first_call' })
    expect(verdict([system, u1, a1, t1], { system: 'other' })).toMatchObject({ reason: 'system_changed' })
    expect(verdict([system, u1, a1, t1], { tools: '[1]' })).toMatchObject({ reason: 'tools_changed' })
    expect(verdict([system, u1, a1, t1], { template: '{}' })).toMatchObject({ reason: 'template_changed' })
    // A new episode: no assistant turn at all (agent.messages reset, even to the same task).
    expect(verdict([system, u1])).toMatchObject({ reason: 'messages_reset' })
    expect(verdict([system, u2])).toMatchObject({ reason: 'messages_reset' })
    // Trimmed or edited history, an assistant turn that is not the sampled one, a user turn without it.
    expect(verdict([system, a1, t1])).toMatchObject({ reason: 'history_changed' })
    expect(verdict([system, u1, { ...a1, content: 'edited' }, t1])).toMatchObject({ reason: 'history_changed' })
    expect(verdict([system, u1, a1, t1, a1])).toMatchObject({ reason: 'history_changed' })
    expect(verdict([system, u1, a1, t1], {}, held({ extendable: false }))).toMatchObject({
      reason: 'previous_not_extendable',
    })
  })
})

describe('stableKey', () => {
  it('ignores object key order and undefined values, keeps array order', () => {
    expect(stableKey({ b: 1, a: [2, { d: 3, c: undefined }] })).toBe(stableKey({ a: [2, { d: 3 }], b: 1 }))
    expect(stableKey([1, 2])).not.toBe(stableKey([2, 1]))
  })
})
