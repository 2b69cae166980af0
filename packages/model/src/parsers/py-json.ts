/**
 * Python's `json.dumps(value, ensure_ascii=False)` (separators `", "` and `": "`), so arguments built on the
 * client read exactly like the ones vLLM's parsers build. Accepts what the parsers produce: JSON values,
 * `Map`s (ordered keys, including integer-like ones), and `bigint` for integers beyond 2^53.
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return value.toString()
    case 'number':
      return pyNumber(value)
    case 'string':
      return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}: ${pyJsonDumps(v)}`).join(', ')}}`
}

/** A JS number as `json.dumps` writes the Python int or float it stands for. */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  // Python ints arrive as safe integers or bigints; a larger whole number is a float there.
  if (Number.isSafeInteger(n)) return String(n + 0)
  // Shortest round-trip digits (the same in JS and Python), laid out the way Python's float repr does.
  const [mantissa = '', exp = '0'] = Math.abs(n).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const e = Number(exp)
  const sign = n < 0 ? '-' : ''
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0')
  const fraction = digits.slice(e + 1)
  return `${sign}${whole}.${fraction.length > 0 ? fraction : '0'}`
}
