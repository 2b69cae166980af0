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
} from '@strands-vllm/drift'
import { buildTrajectoriesAsync, writeTitoJsonl } from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { fileLines, heading, intro, rolloutLines, trajectoryLines } from './print.js'
import { runDriftRollout } from './rollout.js'

/**
 * The whole product in one run: an agent rollout with tool validation and the TITO recorder,
 * prefix-checked trajectories with their loss masks, the retokenization-drift analysis with a
 * verdict, and the files a trainer or a person reads (canonical JSONL, HTML report).
 *
 * Steps are numbered so a later one can join them: token-in (issue 12) adds a "chat mode vs token-in"
 * step that runs `runDriftRollout({ mode: 'token-in' })` on the same episode and prints both side by side.
 */
async function main(): Promise<void> {
  const htmlPath = resolve(process.env.DRIFT_REPORT_PATH ?? 'out/drift-report.html')
  const jsonlPath = resolve(dirname(htmlPath), 'calls.jsonl')
  const say = (text: string): void => {
    process.stdout.write(`${text}\n`)
  }
  const steps = 3
  const rollout = await runDriftRollout({ env: process.env, mode: 'chat' })
  try {
    say(
      intro(
        rollout.kind === 'mock' ? 'an in-process mock vLLM (real Qwen3 tokenizer and template)' : rollout.description,
        dirname(htmlPath)
      )
    )

    say(heading(1, steps, rolloutLines(rollout)))

    const { trajectories, divergences } = await buildTrajectoriesAsync(rollout.history, {
      decoder: { decode: async (ids) => rollout.tokenizer.decode(ids) },
    })
    say(heading(2, steps, trajectoryLines(trajectories, divergences.length)))

    const analysis = await analyzeCalls(rollout.history, rollout.tokenizer)
    const report: DriftReport = {
      title: 'Retokenization drift of this rollout',
      tokenizer: rollout.tokenizer.name,
      cases: await runCanonicalCases(loadQwen3Tokenizer()),
      analysis,
      notes: [`rollout: ${rollout.description}`],
    }
    say(heading(3, steps, renderTerminalReport(report, { color: shouldUseColor() }).trimEnd()))

    await mkdir(dirname(htmlPath), { recursive: true })
    await writeFile(htmlPath, renderHtmlReport(report), 'utf8')
    await writeTitoJsonl(jsonlPath, rollout.history)
    const cli = resolve(
      dirname(createRequire(import.meta.url).resolve('@strands-vllm/drift/package.json')),
      'dist/cli.js'
    )
    say(fileLines({ jsonl: jsonlPath, html: htmlPath, cli }))
  } finally {
    await rollout.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
