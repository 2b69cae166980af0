/**
 * Building blocks for sibling packages and advanced users (`@strands-vllm/model/internal`). Not covered by the
 * semver promise of the root entry: names here may change in a minor release.
 */
export { redact } from '../classify-error.js'
export { hasErrorMarker } from '../error-marker.js'
export { isNonNegativeInteger } from '../non-negative-integer.js'
export { formatTools } from '../request/chat-request.js'
export { formatMessages } from '../request/format-messages.js'
export { TokenCapture } from '../token-capture.js'
export { type SplitUrl, splitUrlCredentials } from '../url-credentials.js'
export { readSSEBatches } from '../wire/sse-batches.js'
export { withoutCredentials } from '../without-credentials.js'
