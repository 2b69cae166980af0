import type { ErrorObject } from 'ajv'

/** One schema violation: where (JSON pointer into the tool input, root = `/`) and why. */
export interface SchemaViolation {
  pointer: string
  keyword: string
  reason: string
}

const MAX_REASON_LENGTH = 120
const MAX_ENUM_VALUES = 10

/**
 * Turns ajv's errors into stable violations. Reasons are worded here from the keyword and its
 * params (ajv's English messages may change between versions); the input value itself is never
 * quoted, so a message stays short whatever the model wrote. Branch errors inside a failed
 * `anyOf`/`oneOf` are folded into that one violation (`must be string or number` when all
 * branches failed on type). The result is de-duplicated and sorted by pointer, then keyword.
 */
export function toSchemaViolations(errors: readonly ErrorObject[]): SchemaViolation[] {
  let branchErrors: Set<ErrorObject> | undefined
  let typeUnions: Map<ErrorObject, string[]> | undefined
  for (const composite of errors) {
    if (composite.keyword !== 'anyOf' && composite.keyword !== 'oneOf') continue
    const prefix = `${composite.schemaPath}/`
    // Items of one array share a schemaPath: a branch error belongs to this composite only when it is
    // at the composite's instance or below it (`/a/1` is not below `/a/0`, nor is `/a/10` below `/a/1`).
    const branches = errors.filter(
      (e) => e.schemaPath.startsWith(prefix) && isAtOrBelow(e.instancePath, composite.instancePath)
    )
    branchErrors ??= new Set()
    for (const e of branches) branchErrors.add(e)
    if (
      branches.length > 0 &&
      branches.every((e) => e.keyword === 'type' && e.instancePath === composite.instancePath)
    ) {
      typeUnions ??= new Map()
      typeUnions.set(composite, [...new Set(branches.flatMap((e) => typeNames(e.params)))])
    }
  }

  const violations: SchemaViolation[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (branchErrors?.has(error)) continue
    const union = typeUnions?.get(error)
    const violation = union
      ? { pointer: pointerOf(error), keyword: error.keyword, reason: `must be ${union.join(' or ')}` }
      : describe(error)
    const text = `${violation.pointer} ${violation.reason}`
    if (seen.has(text)) continue
    seen.add(text)
    violations.push(violation)
  }
  return violations.sort(compareViolations)
}

function isAtOrBelow(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`)
}

/** Joins violations into one line: at most `maxItems` items and about `maxLength` characters, then `; ... (+K more)`. */
export function formatViolations(violations: readonly SchemaViolation[], maxItems: number, maxLength: number): string {
  const parts: string[] = []
  let length = 0
  for (const v of violations) {
    const part = `${v.pointer} ${v.reason}`
    if (parts.length >= maxItems || (parts.length > 0 && length + part.length + 2 > maxLength)) break
    parts.push(part)
    length += part.length + 2
  }
  const rest = violations.length - parts.length
  return rest > 0 ? `${parts.join('; ')}; ... (+${rest} more)` : parts.join('; ')
}

function describe(error: ErrorObject): SchemaViolation {
  const reason = clip(reasonFor(error.keyword, error.params as Record<string, unknown>))
  return { pointer: pointerOf(error), keyword: error.keyword, reason }
}

/** `required`, `additionalProperties` and friends point at the property itself, not its parent. */
function pointerOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>
  let child: unknown
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
    case 'dependentRequired':
      child = p['missingProperty']
      break
    case 'additionalProperties':
      child = p['additionalProperty']
      break
    case 'unevaluatedProperties':
      child = p['unevaluatedProperty']
      break
  }
  if (typeof child === 'string') return `${error.instancePath}/${escapePointer(child)}`
  return error.instancePath === '' ? '/' : error.instancePath
}

function reasonFor(keyword: string, p: Record<string, unknown>): string {
  switch (keyword) {
    case 'type':
      return `must be ${typeNames(p).join(' or ')}`
    case 'enum':
      return `must be one of ${listValues(p['allowedValues'])}`
    case 'const':
      return `must be ${json(p['allowedValue'])}`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`
    case 'multipleOf':
      return `must be a multiple of ${String(p['multipleOf'])}`
    case 'minLength':
      return `must have at least ${String(p['limit'])} character(s)`
    case 'maxLength':
      return `must have at most ${String(p['limit'])} character(s)`
    case 'minItems':
      return `must have at least ${String(p['limit'])} item(s)`
    case 'maxItems':
      return `must have at most ${String(p['limit'])} item(s)`
    case 'minProperties':
      return `must have at least ${String(p['limit'])} propert${p['limit'] === 1 ? 'y' : 'ies'}`
    case 'maxProperties':
      return `must have at most ${String(p['limit'])} propert${p['limit'] === 1 ? 'y' : 'ies'}`
    case 'uniqueItems':
      return `must not contain duplicate items (${String(p['j'])} and ${String(p['i'])})`
    case 'pattern':
      return `must match pattern ${json(p['pattern'])}`
    case 'format':
      return `must match format ${json(p['format'])}`
    case 'required':
      return 'is required'
    case 'dependencies':
    case 'dependentRequired':
      return `is required when ${json(p['property'])} is present`
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not allowed'
    case 'additionalItems':
    case 'unevaluatedItems':
      return `must have at most ${String(p['limit'])} item(s)`
    case 'propertyNames':
      return `has an invalid property name ${json(p['propertyName'])}`
    case 'contains':
      return `must contain at least ${String(p['minContains'] ?? 1)} matching item(s)`
    case 'anyOf':
      return 'must match at least one schema in anyOf'
    case 'oneOf':
      return 'must match exactly one schema in oneOf'
    case 'not':
      return 'must not match the "not" schema'
    case 'if':
      return `must match the "${String(p['failingKeyword'])}" schema`
    case 'false schema':
      return 'is not allowed'
    default:
      return `must satisfy ${keyword}`
  }
}

function typeNames(params: unknown): string[] {
  const type = (params as Record<string, unknown>)['type']
  if (Array.isArray(type)) return type.map(String)
  return String(type).split(',')
}

function listValues(values: unknown): string {
  if (!Array.isArray(values)) return json(values)
  const shown = values.slice(0, MAX_ENUM_VALUES).map(json).join(', ')
  return values.length > MAX_ENUM_VALUES ? `${shown}, ... (+${values.length - MAX_ENUM_VALUES} more)` : shown
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value)
}

function clip(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 3)}...` : text
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Pointer order with array indices compared as numbers (`/items/2` before `/items/10`), then keyword, then reason. */
function compareViolations(a: SchemaViolation, b: SchemaViolation): number {
  return comparePointers(a.pointer, b.pointer) || compareText(a.keyword, b.keyword) || compareText(a.reason, b.reason)
}

function comparePointers(a: string, b: string): number {
  if (a === b) return 0
  const as = a.split('/')
  const bs = b.split('/')
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!
    const y = bs[i]!
    if (x === y) continue
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y)
    return compareText(x, y)
  }
  return as.length - bs.length
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
