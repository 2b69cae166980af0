/**
 * Helpers for sibling packages that must not depend on `@strands-vllm/model` (`@strands-vllm/mock-server`, the
 * test stand-ins), `@strands-vllm/tokenizer/internal`. Not covered by the semver promise of the root entry. They
 * answer exactly like their twins in `@strands-vllm/model/internal` (a test there compares them).
 */
export { hasErrorMarker } from '../error-marker.js'
export { isNonNegativeInteger } from '../non-negative-integer.js'
