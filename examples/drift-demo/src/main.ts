import { mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import {
  analyzeCalls,
  type DriftReport,
  renderHtmlReport,
  renderTerminalReport,
  runCanonicalCases,
  ServerTokenizerError,
  shouldUseColor,
} from '@strands-vllm/drift'
import {
  type AsyncTokenDecoder,
  type BuildResult,
  buildTrajectories,
  buildTrajectoriesAsync,
  type TitoCallRecord,
  writeTitoJsonl,
} from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { compareModes } from './mode-comparison.js'
import { fileLines, heading, intro, modeComparisonLines, rolloutLines, trajectoryLines } from './print.js'
import { runDriftRollout } from './rollout.js'
import { runTokenInSide } from './token-in-side.js'

/**
 * The whole product in one run: an agent rollout with tool validation and the TITO recorder,
 * prefix-checked trajectories with their loss masks, the retokenization-drift analysis with a
 * verdict, the same episode in token-in mode beside chat mode (what token-in saves), and the files a trainer
 * or a person reads (canonical JSONL of both modes, HTML report).
 */
async function main(): Promise<void> {
  const htmlPath = resolve(process.env.DRIFT_REPORT_PATH ?? 'out/drift-report.html')
  const jsonlPath = resolve(dirname(htmlPath), 'calls.jsonl')
  const tokenInJsonlPath = resolve(dirname(htmlPath), 'calls-token-in.jsonl')
  const say = (text: string): void => {
    process.stdout.write(`${text}\n`)
  }
  const steps = 4
  const rollout = await runDriftRollout({ env: process.env, mode: 'chat' })
  try {
    say(
      intro(
        rollout.kind === 'mock' ? 'an in-process mock vLLM (real Qwen3 tokenizer and template)' : rollout.description,
        dirname(htmlPath)
      )
    )

    say(heading(1, steps, rolloutLines(rollout)))

    const decoder = { decode: async (ids: readonly number[]) => rollout.tokenizer.decode(ids) }
    const { built, skipped } = await buildWithDecoder(rollout.history, decoder)
    const trajectories = trajectoryLines(built.trajectories, built.divergences.length)
    say(heading(2, steps, skipped ? `${trajectories}\n  (causes from ids alone: ${skipped})` : trajectories))

    await mkdir(dirname(htmlPath), { recursive: true })
    let report: DriftReport | undefined
    try {
      report = {
        title: 'Retokenization drift of this rollout',
        tokenizer: rollout.tokenizer.name,
        cases: await runCanonicalCases(loadQwen3Tokenizer()),
        analysis: await analyzeCalls(rollout.history, rollout.tokenizer),
        notes: [`rollout: ${rollout.description}`],
      }
      say(heading(3, steps, renderTerminalReport(report, { color: shouldUseColor() }).trimEnd()))
      await writeFile(htmlPath, renderHtmlReport(report), 'utf8')
    } catch (error) {
      if (!ServerTokenizerError.isInstance(error)) throw error
      say(heading(3, steps, `Retokenization drift · skipped: ${error.message}`))
    }
    await writeTitoJsonl(jsonlPath, rollout.history)

    const tokenIn = await runTokenInSide(process.env)
    if (tokenIn.rollout) {
      try {
        const history = tokenIn.rollout.history
        const comparison = compareModes(
          { history: rollout.history, built },
          { history, built: (await buildWithDecoder(history, decoder)).built }
        )
        say(heading(4, steps, modeComparisonLines(comparison, rollout.kind)))
        await writeTitoJsonl(tokenInJsonlPath, history)
      } finally {
        await tokenIn.rollout.close()
      }
    } else say(heading(4, steps, `Chat mode vs token-in · ${tokenIn.skipped}`))

    const cli = resolve(
      dirname(createRequire(import.meta.url).resolve('@strands-vllm/drift/package.json')),
      'dist/cli.js'
    )
    say(
      fileLines({
        jsonl: jsonlPath,
        tokenInJsonl: tokenIn.rollout ? tokenInJsonlPath : null,
        html: report ? htmlPath : null,
        cli,
      })
    )
  } finally {
    await rollout.close()
  }
}

/**
 * The builder with the analysis tokenizer as decoder (causes refined by decoded text). Against a server without
 * `/detokenize` (a gateway in front of vLLM) the causes come from ids alone, and the reason is kept for one line.
 */
async function buildWithDecoder(
  history: readonly TitoCallRecord[],
  decoder: AsyncTokenDecoder
): Promise<{ built: BuildResult; skipped?: string }> {
  try {
    return { built: await buildTrajectoriesAsync(history, { decoder }) }
  } catch (error) {
    if (!ServerTokenizerError.isInstance(error)) throw error
    return { built: buildTrajectories(history), skipped: error.message }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
