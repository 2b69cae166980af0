/** A token id or a count: a non-negative integer (booleans, floats and strings are not). */
export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}
