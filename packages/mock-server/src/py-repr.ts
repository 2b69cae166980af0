/**
 * Python's `repr()` of a JSON value (`None`, `True`, `'text'`, `{'k': v}`), with `Tuple` for `('body',)`.
 * vLLM's validation messages embed pydantic error dicts printed this way, so the mock prints them the same.
 */
export class Tuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python object shown by its repr, e.g. `VLLMValidationError('text')`. */
export class PyObject {
  constructor(
    readonly className: string,
    readonly args: readonly unknown[]
  ) {}
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan'
  if (typeof value === 'string') return pyStr(value)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value instanceof Tuple) {
    const items = value.items.map(pyRepr)
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
  }
  if (value instanceof PyObject) return `${value.className}(${value.args.map(pyRepr).join(', ')})`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries.map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`).join(', ')}}`
  }
  return pyStr(String(value))
}

/** Single quotes unless the text has `'` and no `"`, as CPython picks. */
function pyStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += `\\${quote}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out + quote
}
