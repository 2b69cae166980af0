/**
 * The `Symbol.for('strands-vllm.error.<ClassName>')` check behind every `isInstance` of the packages that cannot
 * import `@strands-vllm/model` (which has the same helper): the registry is per process, so the check holds across
 * ESM/CJS builds and duplicated installs, where `instanceof` fails.
 */
export function hasErrorMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true
}
