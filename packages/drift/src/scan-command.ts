import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { analyzeCalls, type CallDrift, scanCalls } from './analyze-calls.js'
import type { DriftCallRecord } from './call-record.js'
import { renderCallTable } from './call-table.js'
import { runCanonicalCases } from './canonical-cases.js'
import { escapeControls } from './display.js'
import type { DriftSummary } from './drift-summary.js'
import { DriftError, DriftInputError } from './errors.js'
import { formatBytes, renderHtmlReport } from './html-report.js'
import { readCallsJsonl } from './jsonl.js'
import { resolveTokenizer } from './resolve-tokenizer.js'
import { summaryRows } from './summary-rows.js'
import { makeStyle, renderTable, shouldUseColor } from './terminal-style.js'
import { type DriftVerdict, driftVerdict } from './verdict.js'
import { VLLMServerTokenizer } from './vllm-server-tokenizer.js'

/** Where the command writes; `process` streams in the CLI, buffers in tests. */
export interface CommandIO {
  stdout: { write(text: string): unknown; isTTY?: boolean }
  stderr: { write(text: string): unknown; isTTY?: boolean }
  env: Record<string, string | undefined>
}

const NAME = 'strands-vllm-drift'

const USAGE = `Usage: ${NAME} scan FILE… [--tokenizer SRC] [--model NAME] [--calls] [--html OUT] [--json]

Reads per-call tito-call/1 JSONL — one model call per line, as @strands-vllm/tito's writeTitoJsonl
writes it (gzip files are read directly) — and reports on your data: BPE drift of each response on
its own, and where each prompt stops extending the previous call of its rollout, by cause. Several
files are read in order, as if concatenated.

  --tokenizer SRC  qwen3 (default; shipped, offline), a tokenizer.json or its folder, or a vLLM
                   server URL (uses its /tokenize and /detokenize)
  --model NAME     served model name for a server tokenizer (default: the first of /v1/models)
  --calls          also print one row per call (prompt, sampled, status, finish, logprobs, drift)
  --html OUT       write the HTML report (trajectories with their loss masks, charts, per-call numbers)
  --json           print files, tokenizer, summary and verdict as JSON (with --calls: the rows too)
  -h, --help       this text

Environment: VLLM_API_KEY is sent to a server tokenizer (never printed); NO_COLOR turns colour off.
Exit codes: 0 done, 1 bad input or tokenizer (the message says which file, line or URL), 2 usage error.
`

/** A usage mistake: one line on stderr, exit code 2. */
class UsageError extends Error {}

/** Large inputs get a progress bar (on a TTY stderr only). */
const PROGRESS_MIN_BYTES = 1 << 20

interface Options {
  files: string[]
  tokenizer: string
  model: string | undefined
  calls: boolean
  html: string | undefined
  json: boolean
}

/** `strands-vllm-drift` with its arguments; resolves to the exit code. */
export async function runDriftCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let options: Options | 'help'
  try {
    options = parse(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`${NAME}: ${error.message} (run ${NAME} --help)\n`)
    return 2
  }
  if (options === 'help') {
    io.stdout.write(USAGE)
    return 0
  }
  const progress = makeProgress(io)
  try {
    const resolve = () =>
      resolveTokenizer(options.tokenizer, {
        ...(options.model === undefined ? {} : { model: options.model }),
        ...(io.env.VLLM_API_KEY ? { apiKey: io.env.VLLM_API_KEY } : {}),
      })
    // A server is checked before a large file is read; a local tokenizer is loaded after the files are.
    const server = /^https?:\/\//i.test(options.tokenizer) ? resolve() : undefined
    if (server instanceof VLLMServerTokenizer) await server.encode('probe')
    const records = await readAll(options.files, progress, (message) => {
      progress.done()
      io.stderr.write(`${NAME}: warning: ${escapeControls(message)}\n`)
    })
    const tokenizer = server ?? resolve()
    const onProgress = (done: number, total: number): void => progress.update('scanning', done, total)
    const detailed = options.calls || options.html !== undefined
    const analysis = detailed
      ? await analyzeCalls(records, tokenizer, { onProgress, pieces: false, promptContextTokens: 0 })
      : undefined
    const summary = analysis?.summary ?? (await scanCalls(records, tokenizer, { onProgress }))
    progress.done()
    const verdict = driftVerdict(summary)
    let written: string | undefined
    if (options.html !== undefined && analysis) {
      const html = renderHtmlReport({
        title: 'Retokenization drift scan',
        tokenizer: tokenizer.name,
        analysis,
        notes: [`files: ${options.files.join(', ')}`],
        ...(options.tokenizer === 'qwen3' ? { cases: await runCanonicalCases(tokenizer) } : {}),
      })
      await writeReport(options.html, html)
      const n = (x: number): string => x.toLocaleString('en-US')
      written = `wrote HTML report ${options.html} (${formatBytes(Buffer.byteLength(html))}; ${n(analysis.trajectories.length)} trajectories, ${n(analysis.calls.length)} calls)\n`
    }
    if (options.json) {
      const out = {
        files: options.files,
        tokenizer: tokenizer.name,
        summary,
        verdict,
        ...(options.calls && analysis ? { calls: analysis.calls.map(callRow) } : {}),
      }
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
      if (written) io.stderr.write(written)
    } else {
      const color = shouldUseColor(io.stdout, io.env)
      io.stdout.write(renderScanSummary(options.files, tokenizer.name, summary, color, verdict))
      if (options.calls && analysis) io.stdout.write(`\n${renderCallTable(analysis.calls, makeStyle(color))}\n`)
      if (written) io.stdout.write(`\n${written}`)
    }
    return 0
  } catch (error) {
    progress.done()
    if (DriftError.isInstance(error)) {
      io.stderr.write(`${NAME}: ${escapeControls(error.message)}\n`)
      return 1
    }
    throw error
  }
}

function parse(argv: readonly string[]): Options | 'help' {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(argv)
  } catch (error) {
    throw new UsageError(usageMessage(error))
  }
  const { values, positionals } = parsed
  if (values.help) return 'help'
  const [command, ...files] = positionals
  if (command === undefined) throw new UsageError('missing command: scan FILE…')
  if (command !== 'scan') throw new UsageError(`unknown command "${command}" (the command is scan)`)
  if (files.length === 0) throw new UsageError('missing FILE: give one or more tito-call/1 JSONL files')
  if (values.html === '') throw new UsageError('--html needs a file name (e.g. --html report.html)')
  return {
    files,
    tokenizer: values.tokenizer ?? 'qwen3',
    model: values.model,
    calls: values.calls ?? false,
    html: values.html,
    json: values.json ?? false,
  }
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      tokenizer: { type: 'string' },
      model: { type: 'string' },
      calls: { type: 'boolean' },
      html: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/** `node:util` parseArgs errors, in one short line. */
function usageMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  const option = /'(-[^' ]+)/.exec(message ?? '')?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `${option} needs a value`
  return message ?? String(error)
}

async function readAll(
  files: readonly string[],
  progress: Progress,
  warn: (message: string) => void
): Promise<DriftCallRecord[]> {
  const records: DriftCallRecord[] = []
  for (const file of files) {
    const calls = await readCallsJsonl(file, {
      onProgress: (done, total) => progress.update('reading ', done, total),
      onWarning: (w) => warn(`${w.source ?? file}:line ${w.line}: ${w.message}`),
    })
    if (calls.length === 0) {
      throw new DriftInputError(
        'holds no records (empty file); expected per-call tito-call/1 JSONL, one model call per line',
        { source: file }
      )
    }
    for (const call of calls) records.push(call)
  }
  return records
}

async function writeReport(path: string, html: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, html, 'utf8')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new DriftError(
      `cannot write the HTML report to ${path} (${typeof code === 'string' ? code : String(error)})`,
      {
        cause: error,
      }
    )
  }
}

/** `--json --calls`: one plain object per call. */
function callRow(call: CallDrift) {
  return {
    rolloutId: call.rolloutId ?? null,
    invocationIndex: call.invocationIndex ?? null,
    callIndex: call.callIndex,
    attempt: call.attempt ?? null,
    status: call.status,
    finishReason: call.finishReason,
    promptLength: call.promptLength,
    sampledLength: call.sampledLength,
    logprobs: call.logprobs,
    bpe: call.bpe && {
      drifted: call.bpe.drifted,
      firstDivergence: call.bpe.firstDivergence,
      changedTokens: call.bpe.driftedIndices.original.length,
    },
    extendsPrevious: call.extendsPrevious,
    rerender: call.rerender && {
      previousCallIndex: call.rerender.previousCallIndex,
      index: call.rerender.index,
      cause: call.rerender.cause,
      sampledLost: call.rerender.sampledLost,
    },
  }
}

/** The scan summary as an aligned table of counts and rates by cause, then the verdict on the data. */
function renderScanSummary(
  files: readonly string[],
  tokenizer: string,
  summary: DriftSummary,
  color = false,
  verdict: DriftVerdict = driftVerdict(summary)
): string {
  const s = makeStyle(color)
  const rows = summaryRows(summary, 'scan')
  const what = files.length === 1 ? (files[0] as string) : `${files.length} files`
  const lines = [
    `${s.bold(`Drift scan of ${escapeControls(what)}`)} ${s.dim(`(tokenizer ${escapeControls(tokenizer)})`)}`,
    renderTable(['', 'count', 'rate'], rows, { style: s, right: [1, 2] }),
    '',
    s.bold('Verdict on your data'),
    `  ${verdict.basis === 'nothing' ? s.yellow(verdict.headline) : verdict.drift ? s.red(verdict.headline) : s.green(verdict.headline)}`,
    ...verdict.details.map((d) => `  ${d}`),
  ]
  return `${lines.join('\n')}\n`
}

interface Progress {
  update(label: string, done: number, total: number): void
  done(): void
}

/**
 * A one-line bar on stderr, only on a TTY and only for large inputs (≥ 1 MiB of JSONL or ≥ 500 calls),
 * redrawn at most every 100 ms.
 */
function makeProgress(io: CommandIO): Progress {
  const enabled = io.stderr.isTTY === true
  let shown = false
  let last = 0
  return {
    update(label, done, total) {
      const large = label.startsWith('reading') ? total >= PROGRESS_MIN_BYTES : total >= 500
      const now = Date.now()
      if (!enabled || !large || (now - last < 100 && done < total)) return
      last = now
      const width = 30
      const filled = total === 0 ? width : Math.round((width * done) / total)
      io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
      shown = true
    },
    done() {
      if (shown) io.stderr.write('\r\u001b[2K')
      shown = false
    },
  }
}
