/**
 * Soak: `pnpm soak [--sequential N] [--concurrent N] [--warmup N] [--max-heap-growth MiB]`
 * (defaults 1000 / 256 / 20 / 32). Exits 1 on any cross-talk, failed rollout or heap growth past the bound.
 * Re-runs itself with --expose-gc when started without it, so the heap figures are taken after a full gc.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { formatSoakSummary, runSoak } from '../tooling/hardening/src/soak.js'

if (typeof (globalThis as { gc?: unknown }).gc !== 'function' && !process.execArgv.includes('--expose-gc')) {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  })
  process.exit(child.status ?? 1)
}

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '1000' },
    concurrent: { type: 'string', default: '256' },
    warmup: { type: 'string', default: '20' },
    'max-heap-growth': { type: 'string', default: '32' },
  },
})

const summary = await runSoak({
  sequential: Number(values.sequential),
  concurrent: Number(values.concurrent),
  warmup: Number(values.warmup),
  maxHeapGrowthMiB: Number(values['max-heap-growth']),
  log: (line) => console.log(line),
})
console.log(formatSoakSummary(summary))
process.exitCode = summary.ok ? 0 : 1
