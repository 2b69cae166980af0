import type { Snippet } from './extract-snippets.js'
import type { RunResult } from './run-snippet.js'
import type { FileDiagnostic } from './typecheck-snippets.js'

const OUTPUT_TAIL_LINES = 40
const MAX_TYPE_ERRORS = 12
const MISSING_WORKSPACE_PACKAGE =
  '(a workspace package: list it in tooling/readme-snippets/package.json as "workspace:*" and run pnpm install)'

/** `packages/tito/README.md:42` — the block by its opening fence. */
export function snippetLabel(snippet: Snippet): string {
  return `${snippet.readme}:${snippet.fenceLine}`
}

/**
 * One line per compiler error, at the README line and column, with the offending line below it:
 *   packages/tito/README.md:57:13 TS2304: Cannot find name 'decoder'.
 *       57 |   const text = decoder.decode(ids)
 */
export function formatTypeErrors(snippet: Snippet, diagnostics: readonly FileDiagnostic[]): string {
  const lines = snippet.code.split('\n')
  const parts = diagnostics.slice(0, MAX_TYPE_ERRORS).map((d) => {
    const readmeLine = snippet.fenceLine + d.line
    const source = lines[d.line - 1] ?? ''
    const hint = d.code === 2307 && d.message.includes("'@strands-vllm/") ? `\n    ${MISSING_WORKSPACE_PACKAGE}` : ''
    return `${snippet.readme}:${readmeLine}:${d.column + snippet.indent} TS${d.code}: ${d.message}\n    ${readmeLine} | ${source}${hint}`
  })
  const more = diagnostics.length > MAX_TYPE_ERRORS ? `\n… and ${diagnostics.length - MAX_TYPE_ERRORS} more` : ''
  return `the ts block at ${snippetLabel(snippet)} does not typecheck (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}):\n${parts.join('\n')}${more}`
}

/** Why a run failed (exit code, signal or timeout) and the end of what it printed. */
export function formatRunFailure(snippet: Snippet, result: RunResult, timeoutMs: number): string {
  const why = result.timedOut
    ? `did not exit within ${timeoutMs / 1000} s (a server, socket or timer left open?)`
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`
  const tail = result.output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n')
  return `the <!-- run --> block at ${snippetLabel(snippet)} ${why}; its output${tail ? ` (last ${OUTPUT_TAIL_LINES} lines):\n${tail}` : ' was empty'}`
}
