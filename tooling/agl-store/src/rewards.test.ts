import { describe, expect, it } from 'vitest'
import { filterAndUnflatten, unflattenAttributes } from './attributes.js'
import { AglAdapterError } from './errors.js'
import { findFinalReward, isRewardSpan, rewardsFromSpan, rewardValue } from './rewards.js'

const span = (attributes: Record<string, unknown>, name = 'agentlightning.annotation') =>
  ({ name, attributes }) as Parameters<typeof rewardValue>[0]

describe('attribute unflattening', () => {
  it('rebuilds nested objects and 0..n-1 lists; other numeric keys stay object keys', () => {
    expect(unflattenAttributes({ 'a.b': 1, 'a.c.0': 2, 'a.c.1': 3 })).toEqual({ a: { b: 1, c: [2, 3] } })
    expect(unflattenAttributes({ '0.x': 1, '2.x': 2 })).toEqual({ 0: { x: 1 }, 2: { x: 2 } })
    expect(unflattenAttributes({ a: 1, 'a.b': 2 })).toEqual({ a: { b: 2 } })
    expect(filterAndUnflatten({ 'p.0.name': 'x', 'p.0.value': 1, other: 2, 'pp.0': 3 }, 'p')).toEqual([
      { name: 'x', value: 1 },
    ])
    expect(() => filterAndUnflatten({ p: 1 }, 'p')).toThrow(
      'Cannot unflatten attribute with key exactly equal to prefix: p'
    )
  })
})

describe('reward spans', () => {
  it('reads agentlightning.reward.<i>.name / .value; the first dimension is the primary reward', () => {
    const s = span({
      'agentlightning.reward.0.name': 'primary',
      'agentlightning.reward.0.value': 0.5,
      'agentlightning.reward.1.name': 'speed',
      'agentlightning.reward.1.value': 1,
    })
    expect(rewardsFromSpan(s)).toEqual([
      { name: 'primary', value: 0.5 },
      { name: 'speed', value: 1 },
    ])
    expect(rewardValue(s)).toBe(0.5)
    expect(isRewardSpan(s)).toBe(true)
  })

  it('throws where v0.3 throws: a bare reward key, a non-list, a reward without a numeric value', () => {
    expect(() => rewardValue(span({ 'agentlightning.reward': 1 }))).toThrow(
      'Cannot unflatten attribute with key exactly equal to prefix: agentlightning.reward'
    )
    expect(() => rewardValue(span({ 'agentlightning.rewards': 1 }))).toThrow(AglAdapterError)
    expect(() => rewardValue(span({ 'agentlightning.reward.primary': 1 }))).toThrow(AglAdapterError)
    expect(() =>
      rewardValue(span({ 'agentlightning.reward.0.name': 'p', 'agentlightning.reward.0.value': 'x' }))
    ).toThrow(AglAdapterError)
  })

  it('also reads the AgentOps payload and the v0.2 `reward` attribute; other spans carry none', () => {
    expect(rewardValue(span({ 'agentops.task.output': '{"type": "reward", "value": 0.25}' }, 'x'))).toBe(0.25)
    expect(rewardValue(span({ 'agentops.entity.output': { type: 'reward', value: null } }, 'x'))).toBeNull()
    expect(rewardValue(span({ reward: 2 }))).toBe(2)
    expect(rewardValue(span({ reward: 2 }, 'other'))).toBeUndefined()
    expect(
      isRewardSpan(span({ 'agentlightning.operation.name': 'agentlightning.reward' }, 'agentlightning.operation'))
    ).toBe(true)
    expect(isRewardSpan(span({}, 'openai.chat.completion'))).toBe(false)
  })

  it('findFinalReward: the last span with a reward', () => {
    expect(
      findFinalReward([
        span({ 'agentlightning.reward.0.name': 'p', 'agentlightning.reward.0.value': 1 }),
        span({}, 'x'),
        span({ 'agentlightning.reward.0.name': 'p', 'agentlightning.reward.0.value': 0 }),
        span({}, 'y'),
      ])
    ).toBe(0)
    expect(findFinalReward([span({}, 'x')])).toBeNull()
  })
})
