// Sums one or more vitest runs into the one plain line CI recognises, printed last:
// `N passed, N failed`. Each run first gets its own line (label, counts, skipped).
// Usage: node scripts/test-summary.mjs [REPORT.json EXIT_CODE LABEL]...
//   REPORT `-`: a check that is not a test run (build, biome); EXIT_CODE non-zero counts 1 failed.
//   (no arguments: .vitest-report.json, exit code unknown)
import { existsSync, readFileSync } from 'node:fs'

const args = process.argv.slice(2)
if (args.length === 0) args.push('.vitest-report.json', '', '.vitest-report.json')
if (args.length % 3 !== 0) {
  console.error('usage: test-summary.mjs [REPORT.json EXIT_CODE LABEL]...')
  process.exit(2)
}

let passed = 0
let failed = 0
for (let i = 0; i < args.length; i += 3) {
  const [file, exitCode, label] = args.slice(i, i + 3)
  if (file === '-') {
    if (exitCode !== '0') {
      console.log(`${label}: failed (counted as 1 failed)`)
      failed += 1
    }
    continue
  }
  if (!existsSync(file)) {
    console.log(`${label}: no vitest report at ${file}, the test run did not complete (counted as 1 failed)`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  let runFailed = report.numFailedTests
  // A file that failed to load has no failed tests but still fails the run: count it.
  if (!report.success && runFailed === 0) runFailed = Math.max(1, report.numFailedTestSuites ?? 0)
  // vitest exits non-zero on unhandled errors too, which its report does not count.
  const unhandled = runFailed === 0 && exitCode !== '' && exitCode !== '0'
  if (unhandled) runFailed = 1
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  console.log(
    `${label}: ${report.numPassedTests} passed, ${runFailed} failed${skipped ? `, ${skipped} skipped` : ''}${unhandled ? ` (vitest exited ${exitCode}: errors outside tests, see above)` : ''}`
  )
  passed += report.numPassedTests
  failed += runFailed
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
