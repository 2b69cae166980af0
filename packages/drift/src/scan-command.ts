import { parseArgs } from 'node:util'
import { type DriftSummary, scanCalls } from './analyze-calls.js'
import { DriftError } from './errors.js'
import { readCallsJsonl } from './jsonl.js'
import { resolveTokenizer } from './resolve-tokenizer.js'
import { summaryRows } from './summary-rows.js'
import { makeStyle, renderTable, shouldUseColor } from './terminal-style.js'

/** Where the command writes; `process` streams in the CLI, buffers in tests. */
export interface CommandIO {
  stdout: { write(text: string): unknown; isTTY?: boolean }
  stderr: { write(text: string): unknown; isTTY?: boolean }
  env: Record<string, string | undefined>
}

export const USAGE = `Usage: strands-vllm-drift scan <trajectories.jsonl> [--tokenizer qwen3|<tokenizer.json or dir>|<vLLM URL>] [--model <name>] [--json]

Scans tito-call/1 JSONL records: BPE drift of each response on its own, and where each prompt
stops extending the previous call of its rollout, by cause.

  --tokenizer  qwen3 (default, shipped, offline), a local tokenizer.json (or its folder),
               or a vLLM server URL (uses its /tokenize and /detokenize)
  --model      served model name for a server tokenizer (default: first of /v1/models)
  --json       print the summary as JSON
Exit codes: 0 ok, 1 bad input, 2 usage.
`

/** Large inputs get a progress bar (on a TTY stderr only). */
const PROGRESS_MIN_BYTES = 1 << 20

/** `strands-vllm-drift` with its arguments; resolves to the exit code. */
export async function runDriftCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    io.stderr.write(`strands-vllm-drift: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (parsed.values.help) {
    io.stdout.write(USAGE)
    return 0
  }
  const [command, file, ...rest] = parsed.positionals
  if (command !== 'scan' || file === undefined || rest.length > 0) {
    io.stderr.write(
      `strands-vllm-drift: ${command === undefined ? 'missing command' : command !== 'scan' ? `unknown command "${command}"` : file === undefined ? 'missing <trajectories.jsonl>' : `unexpected argument "${rest[0]}"`}\n\n${USAGE}`
    )
    return 2
  }
  const progress = makeProgress(io)
  try {
    const tokenizerSource = parsed.values.tokenizer ?? 'qwen3'
    const tokenizer = resolveTokenizer(tokenizerSource, {
      ...(parsed.values.model === undefined ? {} : { model: parsed.values.model }),
      ...(io.env.VLLM_API_KEY ? { apiKey: io.env.VLLM_API_KEY } : {}),
    })
    const calls = await readCallsJsonl(file, {
      onProgress: (done, total) => progress.update('reading ', done, total),
    })
    const summary = await scanCalls(calls, tokenizer, {
      onProgress: (done, total) => progress.update('scanning', done, total),
    })
    progress.done()
    if (parsed.values.json) {
      io.stdout.write(`${JSON.stringify({ file, tokenizer: tokenizer.name, summary }, null, 2)}\n`)
    } else {
      io.stdout.write(renderScanSummary(file, tokenizer.name, summary, shouldUseColor(io.stdout, io.env)))
    }
    return 0
  } catch (error) {
    progress.done()
    if (DriftError.isInstance(error) || isFsError(error)) {
      io.stderr.write(`strands-vllm-drift: ${(error as Error).message}\n`)
      return 1
    }
    throw error
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      tokenizer: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

function isFsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (error as { syscall?: unknown }).syscall === 'string'
  )
}

/** The scan summary as an aligned table of counts and rates by cause. */
export function renderScanSummary(file: string, tokenizer: string, summary: DriftSummary, color = false): string {
  const s = makeStyle(color)
  const rows = summaryRows(summary, 'scan')
  return `${s.bold(`Drift scan of ${file}`)} ${s.dim(`(tokenizer ${tokenizer})`)}\n${renderTable(['', 'count', 'rate'], rows, { style: s, right: [1, 2] })}\n`
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
