import { filterAndUnflatten } from './attributes.js'
import { AglAdapterError } from './errors.js'
import type { AttributeValue, StoreSpan } from './span.js'

export const AGL_ANNOTATION = 'agentlightning.annotation'
const AGL_OPERATION = 'agentlightning.operation'
export const REWARD_PREFIX = 'agentlightning.reward'
const OPERATION_NAME = 'agentlightning.operation.name'

export interface RewardDimension {
  name: string
  value: number
}

/**
 * `agentlightning.reward.<i>.name` / `.value` on any span (v0.3's `emit_reward` puts them on an
 * `agentlightning.annotation` span; the reader does not check the name). Any key that merely starts with
 * `agentlightning.reward` makes the span a candidate, so `agentlightning.reward = 1` and `agentlightning.rewards`
 * both throw {@link AglAdapterError}, as v0.3's unflatten and pydantic validation do.
 */
export function rewardsFromSpan(span: Pick<StoreSpan, 'attributes'>): RewardDimension[] {
  if (!Object.keys(span.attributes).some((key) => key.startsWith(REWARD_PREFIX))) return []
  const raw = filterAndUnflatten(span.attributes, REWARD_PREFIX)
  if (!Array.isArray(raw)) {
    throw new AglAdapterError(
      `1 validation error for list[RewardPydanticModel]: Input should be a valid list (got ${JSON.stringify(raw)})`
    )
  }
  return raw.map((item, index) => rewardDimension(item, index))
}

function rewardDimension(item: AttributeValue, index: number): RewardDimension {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new AglAdapterError(`validation error for list[RewardPydanticModel]: ${index} should be an object`)
  }
  const { name, value } = item
  if (typeof name !== 'string') {
    throw new AglAdapterError(`validation error for list[RewardPydanticModel]: ${index}.name should be a valid string`)
  }
  const number = laxFloat(value)
  if (number === undefined) {
    throw new AglAdapterError(`validation error for list[RewardPydanticModel]: ${index}.value should be a valid number`)
  }
  return { name, value: number }
}

/** pydantic's lax `float`: numbers, booleans, numeric strings. */
function laxFloat(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value)
  return undefined
}

/**
 * The span's primary reward (v0.3's `get_reward_value`): the first reward dimension; else an AgentOps
 * `{"type": "reward", "value": x}` payload in `agentops.task.output` / `agentops.entity.output`; else the v0.2
 * `reward` attribute of an `agentlightning.annotation` span. Undefined when the span carries no reward.
 */
export function rewardValue(span: Pick<StoreSpan, 'attributes' | 'name'>): number | null | undefined {
  const dimensions = rewardsFromSpan(span)
  if (dimensions.length > 0) return dimensions[0]?.value
  for (const key of ['agentops.task.output', 'agentops.entity.output']) {
    const output = span.attributes[key]
    let payload: unknown
    if (typeof output === 'object' && output !== null && !Array.isArray(output)) payload = output
    else if (typeof output === 'string' && output) {
      try {
        payload = JSON.parse(output)
      } catch {
        payload = undefined
      }
    }
    if (typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 'reward') {
      const value = (payload as { value?: unknown }).value
      return typeof value === 'number' ? value : null
    }
  }
  if (span.name === AGL_ANNOTATION) {
    const legacy = span.attributes.reward
    if (legacy !== undefined && legacy !== null) return typeof legacy === 'number' ? legacy : null
  }
  return undefined
}

/** Whether the adapter treats the span as a reward span (LLM calls under it are skipped). */
export function isRewardSpan(span: Pick<StoreSpan, 'attributes' | 'name'>): boolean {
  const value = rewardValue(span)
  if (value !== undefined && value !== null) return true
  return span.name === AGL_OPERATION && span.attributes[OPERATION_NAME] === REWARD_PREFIX
}

/** v0.3's `find_final_reward`: the last span (in the order given) that carries a reward. */
export function findFinalReward(spans: ReadonlyArray<Pick<StoreSpan, 'attributes' | 'name'>>): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const value = rewardValue(spans[i]!)
    if (value !== undefined && value !== null) return value
  }
  return null
}
