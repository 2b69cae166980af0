import { AglAdapterError } from './errors.js'
import type { Attributes, AttributeValue } from './span.js'

type Node = { [key: string]: Node | AttributeValue }

/** Attributes whose key is `prefix` or starts with `prefix.`. */
function filterAttributes(attributes: Attributes, prefix: string): Attributes {
  const out: Attributes = {}
  for (const [key, value] of Object.entries(attributes)) {
    if (key === prefix || key.startsWith(`${prefix}.`)) out[key] = value
  }
  return out
}

/**
 * v0.3's `filter_and_unflatten_attributes`: `{"p.0.name": "a", "p.0.value": 1}` with prefix `p` → `[{name: "a",
 * value: 1}]`. An attribute named exactly `prefix` cannot be unflattened and throws — in the adapter that loses the
 * rollout, which is why a bare `agentlightning.reward` attribute is fatal.
 */
export function filterAndUnflatten(attributes: Attributes, prefix: string): AttributeValue {
  const stripped: Attributes = {}
  for (const [key, value] of Object.entries(filterAttributes(attributes, prefix))) {
    if (key === prefix)
      throw new AglAdapterError(`Cannot unflatten attribute with key exactly equal to prefix: ${prefix}`)
    stripped[key.slice(prefix.length + 1)] = value
  }
  return unflattenAttributes(stripped)
}

/**
 * Dotted keys → nested objects; an object whose keys are exactly `0..n-1` becomes an array. A later key that needs
 * an object where a scalar sits replaces the scalar (and the other way round), in key order, as v0.3 does.
 */
export function unflattenAttributes(flat: Attributes): AttributeValue {
  const root: Node = {}
  for (const [flatKey, value] of Object.entries(flat)) {
    const parts = flatKey.split('.')
    let current = root
    for (const part of parts.slice(0, -1)) {
      const next = current[part]
      if (typeof next !== 'object' || next === null || Array.isArray(next)) current[part] = {}
      current = current[part] as Node
    }
    current[parts.at(-1) ?? ''] = value
  }
  return convert(root) as AttributeValue
}

function convert(node: Node | AttributeValue): Node | AttributeValue {
  if (Array.isArray(node)) return node.map((v) => convert(v) as AttributeValue)
  if (typeof node !== 'object' || node === null) return node
  for (const key of Object.keys(node)) node[key] = convert(node[key] as Node)
  const keys = Object.keys(node)
  if (keys.length === 0) return node
  if (keys.every((k) => /^\d+$/.test(k))) {
    const indices = keys.map(Number).sort((a, b) => a - b)
    if (indices.every((index, i) => index === i) && keys.every((k) => String(Number(k)) === k)) {
      return indices.map((i) => node[String(i)] as AttributeValue)
    }
  }
  return node
}

/** Python truthiness, for `if result:` checks on unflattened values. */
export function truthy(value: AttributeValue | undefined): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0
  return Boolean(value)
}
