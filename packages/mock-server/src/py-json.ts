/**
 * `json.dumps(value, ensure_ascii=False)` as Python writes it (`", "` and `": "` separators). The Qwen3 template's
 * `tojson` and vLLM's hermes parser both produce this form, so the mock must too; Agent Lightning's gateway writes
 * its pause body and `env_map` values this way, so its stand-in uses it as well.
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
  }
  return JSON.stringify(String(value))
}
