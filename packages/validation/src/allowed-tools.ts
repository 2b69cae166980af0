/**
 * Formats the `allowed_tools=[…]` list exactly like the Python package: names in registry order,
 * and over `max` the first `max` names followed by `, ... (+K more)`. Unlike Python's slicing,
 * `max <= 0` lists no names but still gives the count (`[... (+3 more)]`).
 */
export function formatAllowedTools(names: readonly string[], max: number): string {
  if (names.length <= max) return `[${names.join(', ')}]`
  const shown = max > 0 ? names.slice(0, max) : []
  const more = `... (+${names.length - shown.length} more)`
  return shown.length > 0 ? `[${shown.join(', ')}, ${more}]` : `[${more}]`
}
