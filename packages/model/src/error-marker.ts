/**
 * Every error class of these packages stamps its instances with an own `true` property under
 * `Symbol.for('strands-vllm.error.<ClassName>')` (a class field on the unique symbol, so the type is branded too).
 * `Symbol.for` is one registry per process, shared by the ESM and CJS builds and by two installed copies of a
 * package, so a check on it holds where `instanceof` fails. The keys are public contract.
 */

/** True when `error` carries an error class's marker (`Symbol.for('strands-vllm.error.<ClassName>')`). */
export function hasErrorMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true
}
