import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, describe, expect, it } from 'vitest'
import { analyzeCalls, scanCalls } from './analyze-calls.js'
import { syntheticCalls, syntheticTitoJsonl } from './synthetic-calls.js'
import { driftVerdict } from './verdict.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Run the real CLI source in a child process (tsx resolves sibling packages through tsconfig paths). */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: packageDir,
      env: { ...process.env, NO_COLOR: '1', VLLM_API_KEY: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const tokenizer = loadQwen3Tokenizer()
const records = syntheticCalls(tokenizer, {
  rollouts: 6,
  turnsPerRollout: 3,
  tokensPerResponse: 80,
  splitRate: 0.03,
  seed: 7,
})
const file = join(dir, 'calls.jsonl')
writeFileSync(file, syntheticTitoJsonl(records))

describe('strands-vllm-drift scan', () => {
  it('gives the library counts and verdict (--json), also from gzip, and a readable table', {
    timeout: 90_000,
  }, async () => {
    const summary = await scanCalls(records, tokenizer)
    expect(summary.responsesWithDrift).toBeGreaterThan(0)
    expect(summary.rerender.diverged).toBeGreaterThan(0)
    const gz = join(dir, 'calls.jsonl.gz')
    writeFileSync(gz, gzipSync(readFileSync(file)))
    const [json, gzipped, table] = await Promise.all([
      cli(['scan', file, '--json']),
      cli(['scan', gz, '--json']),
      cli(['scan', file, '--tokenizer', 'qwen3']),
    ])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      files: [file],
      tokenizer: 'qwen3',
      summary,
      verdict: driftVerdict(summary),
    })
    expect(gzipped.code).toBe(0)
    expect(JSON.parse(gzipped.stdout).summary).toEqual(summary)
    expect(table.code).toBe(0)
    expect(table.stdout).toContain(`responses with BPE drift       ${String(summary.responsesWithDrift).padStart(5)}`)
    expect(table.stdout).toMatch(/… retokenization/)
    expect(table.stdout).toMatch(/Verdict on your data\n {2}Your data drifts/)
    expect(table.stderr).toBe('')
  })

  it('bases the verdict on the data only: clean data is clean, whatever the built-in cases show', {
    timeout: 60_000,
  }, async () => {
    const clean = join(dir, 'clean.jsonl')
    writeFileSync(
      clean,
      syntheticTitoJsonl(
        syntheticCalls(tokenizer, { rollouts: 2, turnsPerRollout: 2, tokensPerResponse: 40, splitRate: 0 })
      )
    )
    const run = await cli(['scan', clean])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Verdict on your data\n {2}No drift in your data/)
    expect(run.stdout).not.toMatch(/known cases/)
  })

  it('--calls prints one row per call and --html writes the library report', { timeout: 90_000 }, async () => {
    const out = join(dir, 'nested', 'report.html')
    const run = await cli(['scan', file, '--calls', '--html', out])
    expect(run.code).toBe(0)
    const rows = run.stdout.split('\n').filter((l) => /^ {2}r\d +call \d+ +1 +exact +stop /.test(l))
    expect(rows).toHaveLength(records.length)
    expect(run.stdout).toMatch(/rollout +call +try +status +finish +prompt +sampled +logprob mean\/min +BPE re-encode/)
    expect(run.stdout).toMatch(/breaks at token \d+ \(sampled token \d+ of call \d+\): retokenization/)
    const html = readFileSync(out, 'utf8')
    expect(run.stdout).toContain(`wrote HTML report ${out} (`)
    expect(run.stdout).toMatch(new RegExp(`\\([\\d.]+ kB; \\d+ trajectories, ${records.length} calls\\)`))
    expect(html).toContain('<script type="application/json" id="drift-data">')
    expect(html).toContain('id="demo-cases"')
    expect(html).toMatch(/this page: [\d.]+ kB/)
    const analysis = await analyzeCalls(records, tokenizer)
    expect(html).toContain(`${analysis.trajectories.length} trajectories, ${records.length} calls`)
  })

  it('says what is wrong with each bad input in one line, with exit code 1', { timeout: 120_000 }, async () => {
    const emptyFile = join(dir, 'empty.jsonl')
    writeFileSync(emptyFile, '\n\n')
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    const noSchema = join(dir, 'no-schema.jsonl')
    const lines = syntheticTitoJsonl(records.slice(0, 2))
    const { schema: _, ...withoutSchema } = JSON.parse(lines.split('\n')[0] as string) as Record<string, unknown>
    writeFileSync(noSchema, `${lines}${JSON.stringify(withoutSchema)}\n`)
    const badField = join(dir, 'bad-field.jsonl')
    writeFileSync(badField, `${lines}${JSON.stringify({ ...withoutSchema, schema: 'tito-call/1', call_index: 'x' })}\n`)
    const cutGzip = join(dir, 'cut.jsonl.gz')
    writeFileSync(cutGzip, gzipSync(readFileSync(file)).subarray(0, 200))
    const zstd = join(dir, 'calls.jsonl.zst')
    writeFileSync(zstd, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]))
    const port = await closedPort()
    const missing = join(dir, 'nope.jsonl')
    const runs = await Promise.all([
      cli(['scan', missing]),
      cli(['scan', folder]),
      cli(['scan', emptyFile]),
      cli(['scan', noSchema]),
      cli(['scan', badField]),
      cli(['scan', cutGzip]),
      cli(['scan', zstd]),
      cli(['scan', file, '--tokenizer', `http://127.0.0.1:${port}`]),
    ])
    const expected = [
      `${missing}: no such file`,
      `${folder}: is a directory; give a tito-call/1 JSONL file (one model call per line)`,
      `${emptyFile}: holds no records (empty file); expected per-call tito-call/1 JSONL, one model call per line`,
      `${noSchema}:line 3: no "schema" key: not a tito-call/1 record (expected the per-call JSONL that writeTitoJsonl writes, not trainer rows or chat logs)`,
      `${badField}:line 3: call_index must be a non-negative integer`,
      `${cutGzip}: is not a readable gzip file (unexpected end of file)`,
      `${zstd}: is zstd-compressed; decompress it first (zstd -d) — gzip files are read directly`,
      `cannot reach the tokenizer server at http://127.0.0.1:${port} (GET /v1/models: ECONNREFUSED); check that vLLM is running there and that the URL is its base URL (http://host:8000, with or without /v1)`,
    ]
    for (const [i, run] of runs.entries()) {
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: `strands-vllm-drift: ${expected[i]}\n`,
      })
    }
  })

  it('exits 2 with one line on usage errors', { timeout: 60_000 }, async () => {
    const runs = await Promise.all([
      cli(['scan', file, '--frobnicate']),
      cli(['scan']),
      cli(['sacn', file]),
      cli(['scan', file, '--html']),
      cli([]),
    ])
    const expected = [
      'unknown option --frobnicate',
      'missing FILE: give one or more tito-call/1 JSONL files',
      'unknown command "sacn" (the command is scan)',
      '--html needs a value',
      'missing command: scan FILE…',
    ]
    for (const [i, run] of runs.entries()) {
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 2,
        stdout: '',
        stderr: `strands-vllm-drift: ${expected[i]} (run strands-vllm-drift --help)\n`,
      })
    }
    const help = await cli(['--help'])
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/^Usage: strands-vllm-drift scan FILE… /)
    expect(help.stdout).toContain('per-call tito-call/1 JSONL')
  })
})
