// Prints vitest's JSON report as the one plain line CI recognises: `N passed, N failed`.
import { existsSync, readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.vitest-report.json'
if (!existsSync(file)) {
  console.log('0 passed, 1 failed')
  console.error(`no vitest report at ${file}: the test run did not complete`)
  process.exit(1)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
let failed = report.numFailedTests
// A file that failed to load has no failed tests but still fails the run: count it.
if (!report.success && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0)
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || !report.success ? 1 : 0)
