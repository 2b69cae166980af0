import { pyStrip } from './py-space.js'
import { pyLiteralEval } from './python-literal.js'

const STRING_TYPES = new Set(['string', 'str', 'text', 'varchar', 'char', 'enum'])
const BOOLEAN_TYPES = new Set(['boolean', 'bool', 'binary'])
const PY_INT = /^[+-]?\d(?:_?\d)*$/
const PY_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/

/**
 * Converts one `<parameter=…>` value (text) by the type its tool's JSON Schema declares, the way vLLM's
 * qwen3_coder parser does: strings stay as written; integers and numbers as Python's `int()` / `float()`
 * read them (a whole float becomes an integer); objects and arrays from JSON, else from a Python literal;
 * `null`/`None` is null for non-string types and for nullable strings. A parameter the schema does not
 * declare stays a string. One difference: a boolean that is neither `true` nor `false` stays a string here
 * (vLLM turns it into `false`), so a malformed value reaches the tool's validation instead of flipping silently.
 *
 * `schema` is the parameter's own schema (`properties[name]`), or undefined when the tool does not declare it.
 */
export function convertParamValue(value: string, schema: unknown): unknown {
  if (schema === undefined) return value
  const { type, nullable } = schemaType(schema)
  const lower = value.toLowerCase()
  if (nullable && (lower === 'null' || lower === 'none')) return null
  if (STRING_TYPES.has(type)) return value
  if (lower === 'null' || lower === 'none') return null
  if (/^(?:int|uint|long|short|unsigned)/.test(type)) return toInteger(value) ?? value
  if (type.startsWith('num') || type.startsWith('float')) return toNumber(value) ?? value
  if (BOOLEAN_TYPES.has(type)) return lower === 'true' ? true : lower === 'false' ? false : value
  const container = type === 'object' || type === 'array' || type === 'arr' || /^(?:dict|list)/.test(type)
  if (container) {
    const parsed = parseJson(value)
    if (parsed.ok) {
      // A model trained on a template that dumped `str(dict)` writes a JSON string holding a Python repr.
      if (typeof parsed.value === 'string') return pyLiteralEval(parsed.value) ?? parsed.value
      return parsed.value
    }
  }
  const literal = pyLiteralEval(value)
  if (literal === undefined) return value
  if (container && typeof literal === 'string') return pyLiteralEval(literal) ?? literal
  return literal
}

/** The declared type (lower case; the first non-null one of a union) and whether null is allowed. */
function schemaType(schema: unknown): { type: string; nullable: boolean } {
  if (!isRecord(schema)) return { type: 'string', nullable: false }
  if ('type' in schema) {
    const declared = schema.type
    if (Array.isArray(declared)) {
      const names = declared.map((t) => String(t).trim().toLowerCase())
      return { type: names.find((t) => t !== 'null') ?? 'null', nullable: names.includes('null') }
    }
    const type = String(declared).trim().toLowerCase()
    return { type, nullable: type === 'null' }
  }
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined
  if (union) {
    let type: string | undefined
    let nullable = false
    for (const option of union) {
      if (!isRecord(option) || !('type' in option)) continue
      const t = String(option.type).trim().toLowerCase()
      if (t === 'null') nullable = true
      else type ??= t
    }
    return { type: type ?? 'string', nullable }
  }
  return { type: 'string', nullable: false }
}

/** Python `int(text)`: surrounding whitespace, a sign, digits with single underscores between them. */
function toInteger(value: string): number | bigint | undefined {
  const text = pyStrip(value)
  if (!PY_INT.test(text)) return undefined
  const n = BigInt(text.replaceAll('_', ''))
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
}

/** Python `float(text)`, then an integer when the value is whole (as vLLM does). inf/nan stay text. */
function toNumber(value: string): number | bigint | undefined {
  const text = pyStrip(value)
  if (!PY_FLOAT.test(text)) return undefined
  const n = Number(text.replaceAll('_', ''))
  if (!Number.isFinite(n)) return undefined
  if (!Number.isInteger(n)) return n
  return Number.isSafeInteger(n) ? n + 0 : BigInt(n)
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
