import type { JsonObject, JsonValue } from './types.js'

/**
 * Request validation shaped like FastAPI + pydantic v2 answers it: HTTP 422 `{"detail": [issue, …]}` where each
 * issue is `{type, loc, msg, input, ctx?}`. Only the checks the real routes' models make are modelled, with
 * pydantic's lax coercions for `int` and `bool` (a JSON `"5"` is an int, `"yes"` a bool).
 */
export interface ValidationIssue {
  type: string
  loc: Array<string | number>
  msg: string
  input: unknown
  ctx?: Record<string, unknown>
}

export type Loc = Array<string | number>

export class Issues {
  readonly list: ValidationIssue[] = []
  get ok(): boolean {
    return this.list.length === 0
  }
  add(type: string, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): undefined {
    this.list.push(ctx === undefined ? { type, loc, msg, input } : { type, loc, msg, input, ctx })
    return undefined
  }
  missing(loc: Loc, input: unknown): undefined {
    return this.add('missing', loc, 'Field required', input)
  }
}

/** Parsed JSON body, or the 422 issue FastAPI reports before any dependency (auth included) runs. */
export function parseJsonBody(raw: Buffer): { value: JsonValue | undefined } | { issue: ValidationIssue } {
  if (raw.length === 0) return { value: undefined }
  const text = raw.toString('utf8')
  try {
    return { value: JSON.parse(text) as JsonValue }
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)
    return {
      issue: {
        type: 'json_invalid',
        loc: ['body', position ? Number(position[1]) : 0],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: 'Expecting value' },
      },
    }
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Python truthiness of a JSON value (`[]`, `{}`, `""`, `0` are false). */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (isObject(value)) return Object.keys(value).length > 0
  return Boolean(value)
}

export function str(issues: Issues, value: unknown, loc: Loc): string | undefined {
  if (typeof value === 'string') return value
  return issues.add('string_type', loc, 'Input should be a valid string', value)
}

export function optionalStr(issues: Issues, value: unknown, loc: Loc): string | null | undefined {
  if (value === undefined || value === null) return null
  return str(issues, value, loc)
}

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes'])
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no'])

export function bool(issues: Issues, value: unknown, loc: Loc): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (value === 0 || value === 1) return value === 1
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase()
    if (TRUE_STRINGS.has(lower)) return true
    if (FALSE_STRINGS.has(lower)) return false
    return issues.add('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', value)
  }
  return issues.add('bool_type', loc, 'Input should be a valid boolean', value)
}

export function int(issues: Issues, value: unknown, loc: Loc): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value
    return issues.add(
      'int_from_float',
      loc,
      'Input should be a valid integer, got a number with a fractional part',
      value
    )
  }
  if (typeof value === 'string') {
    if (/^\s*[+-]?\d+\s*$/.test(value)) return Number(value.trim())
    return issues.add(
      'int_parsing',
      loc,
      'Input should be a valid integer, unable to parse string as an integer',
      value
    )
  }
  return issues.add('int_type', loc, 'Input should be a valid integer', value)
}

export function optionalInt(issues: Issues, value: unknown, loc: Loc): number | null | undefined {
  if (value === undefined || value === null) return null
  return int(issues, value, loc)
}

export function dict(issues: Issues, value: unknown, loc: Loc): JsonObject | undefined {
  if (isObject(value)) return value
  return issues.add('dict_type', loc, 'Input should be a valid dictionary', value)
}

/** A nested pydantic model given something that is not an object. */
export function model(issues: Issues, value: unknown, loc: Loc): JsonObject | undefined {
  if (isObject(value)) return value
  return issues.add(
    'model_attributes_type',
    loc,
    'Input should be a valid dictionary or object to extract fields from',
    value
  )
}

export function list(issues: Issues, value: unknown, loc: Loc): JsonValue[] | undefined {
  if (Array.isArray(value)) return value
  return issues.add('list_type', loc, 'Input should be a valid list', value)
}

/** `extra="forbid"` models. */
export function forbidExtra(issues: Issues, value: JsonObject, allowed: readonly string[], loc: Loc): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.add('extra_forbidden', [...loc, key], 'Extra inputs are not permitted', value[key])
  }
}

/** A `StrEnum` field. */
export function enumValue<T extends string>(
  issues: Issues,
  value: unknown,
  allowed: readonly T[],
  loc: Loc
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  const quoted = allowed.map((a) => `'${a}'`)
  const expected = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
  return issues.add('enum', loc, `Input should be ${expected}`, value, { expected })
}
