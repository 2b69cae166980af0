/**
 * Building blocks the mock shares with the repository's other test stand-ins (Agent Lightning's gateway and store),
 * `@strands-vllm/mock-server/internal`. Not covered by the semver promise of the root entry.
 */
export { type ListeningServer, listenOnLoopback, readRequestBody } from '../loopback-server.js'
export { pyJsonDumps } from '../py-json.js'
