import { mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import {
  analyzeCalls,
  type DriftReport,
  renderHtmlReport,
  renderTerminalReport,
  runCanonicalCases,
  shouldUseColor,
  toDriftRecord,
} from '@strands-vllm/drift'
import { buildTrajectoriesAsync, type Trajectory, writeTitoJsonl } from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { type DriftRollout, runDriftRollout } from './rollout.js'

/**
 * The whole product in one run: an agent rollout with tool validation and the TITO recorder,
 * prefix-checked trajectories with their loss masks, the retokenization-drift analysis with a
 * verdict, and the files a trainer or a person reads (canonical JSONL, HTML report).
 */
async function main(): Promise<void> {
  const cases = await runCanonicalCases(loadQwen3Tokenizer())
  const rollout = await runDriftRollout()
  try {
    printRollout(rollout)
    const { trajectories, divergences } = await buildTrajectoriesAsync(rollout.history, {
      decoder: { decode: async (ids) => rollout.tokenizer.decode(ids) },
    })
    printTrajectories(trajectories, divergences.length)

    const analysis = await analyzeCalls(rollout.history.map(toDriftRecord), rollout.tokenizer)
    const report: DriftReport = {
      title: 'Retokenization drift demo',
      tokenizer: rollout.tokenizer.name,
      cases,
      analysis,
      notes: [`rollout: ${rollout.description}`],
    }
    process.stdout.write(`\n${renderTerminalReport(report, { color: shouldUseColor() })}`)

    const htmlPath = resolve(process.env.DRIFT_REPORT_PATH ?? 'out/drift-report.html')
    const jsonlPath = resolve(dirname(htmlPath), 'calls.jsonl')
    await mkdir(dirname(htmlPath), { recursive: true })
    await writeFile(htmlPath, renderHtmlReport(report), 'utf8')
    await writeTitoJsonl(jsonlPath, rollout.history)
    process.stdout.write('\nFiles\n')
    process.stdout.write(`  canonical JSONL (one line per model call): ${jsonlPath}\n`)
    process.stdout.write(`  HTML report (open it in a browser):        ${htmlPath}\n`)
    const cli = resolve(
      dirname(createRequire(import.meta.url).resolve('@strands-vllm/drift/package.json')),
      'dist/cli.js'
    )
    process.stdout.write(`  scan it again with the CLI:                node ${cli} scan ${jsonlPath}\n`)
  } finally {
    await rollout.close()
  }
}

function printRollout(rollout: DriftRollout): void {
  const out: string[] = [`Rollout · ${rollout.description}`]
  for (const call of rollout.history) {
    const tools = call.toolUses.length ? ` → ${call.toolUses.map((t) => t.name).join(', ')}` : ''
    out.push(
      `  call ${call.callIndex}  ${call.finishReason?.padEnd(10)}  prompt ${String(call.promptTokenIds?.length ?? 0).padStart(4)} ids` +
        `  sampled ${String(call.tokenIds?.length ?? 0).padStart(3)} ids  ${call.status}${tools}`
    )
  }
  out.push('  tool results the model read:')
  for (const result of rollout.toolResults) out.push(`    [${result.status}] ${result.text}`)
  process.stdout.write(`${out.join('\n')}\n`)
}

function printTrajectories(trajectories: readonly Trajectory[], splits: number): void {
  const out: string[] = [
    '',
    `Trajectories · ${trajectories.length} (${splits} split${splits === 1 ? '' : 's'}; each prompt must extend the previous prompt + response)`,
  ]
  for (const t of trajectories) {
    const trainable = t.lossMask.reduce((n, m) => n + m, 0)
    out.push(
      `  #${t.index}  calls ${t.callIndices.join(', ').padEnd(6)}  ${String(t.length).padStart(4)} tokens  ` +
        `mask: ${trainable} sampled (1), ${t.length - trainable} context (0)  segments ${t.segments
          .map((s) => `${s.kind === 'response' ? 'R' : 'P'}${s.length}`)
          .join(' ')}`
    )
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
