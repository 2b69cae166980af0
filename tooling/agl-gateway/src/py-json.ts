/**
 * `json.dumps(value)` with Python's default `", "` / `": "` separators and `ensure_ascii=False`. The real gateway
 * writes the pause body this way (not through FastAPI's compact encoder), and the controller JSON-encodes non-string
 * `env_map` values the same way, so a byte-level comparison with the real server holds.
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value)
    return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN'
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
  }
  return JSON.stringify(String(value))
}
