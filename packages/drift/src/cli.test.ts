import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, describe, expect, it } from 'vitest'
import { scanCalls } from './analyze-calls.js'
import { syntheticCalls, syntheticTitoJsonl } from './synthetic-calls.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Run the real CLI source in a child process (tsx resolves sibling packages through tsconfig paths). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: packageDir,
      env: { ...process.env, NO_COLOR: '1' },
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

describe('strands-vllm-drift scan', () => {
  const tokenizer = loadQwen3Tokenizer()
  const records = syntheticCalls(tokenizer, {
    rollouts: 6,
    turnsPerRollout: 3,
    tokensPerResponse: 80,
    splitRate: 0.03,
    seed: 7,
  })
  const file = join(dir, 'trajectories.jsonl')
  writeFileSync(file, syntheticTitoJsonl(records))

  it('gives the same counts as the library (--json) and a readable table', { timeout: 60_000 }, async () => {
    const expected = await scanCalls(records, tokenizer)
    expect(expected.responsesWithDrift).toBeGreaterThan(0)
    expect(expected.rerender.diverged).toBeGreaterThan(0)
    const [json, table] = await Promise.all([
      cli(['scan', file, '--json']),
      cli(['scan', file, '--tokenizer', 'qwen3']),
    ])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({ file, tokenizer: 'qwen3', summary: expected })
    expect(table.code).toBe(0)
    expect(table.stdout).toContain(`responses with BPE drift       ${String(expected.responsesWithDrift).padStart(5)}`)
    expect(table.stdout).toMatch(/… retokenization/)
    expect(table.stderr).toBe('')
  })

  it('exits 1 naming the bad line, 2 on usage errors', { timeout: 60_000 }, async () => {
    const bad = join(dir, 'bad.jsonl')
    const valid = syntheticTitoJsonl(records.slice(0, 2))
    const broken = { ...JSON.parse(valid.split('\n')[0] as string), call_index: 'x' }
    writeFileSync(bad, `${valid}${JSON.stringify(broken)}\n`)
    const [badInput, missing, usage, unknownFlag] = await Promise.all([
      cli(['scan', bad]),
      cli(['scan', join(dir, 'nope.jsonl')]),
      cli(['scan']),
      cli(['scan', file, '--frobnicate']),
    ])
    expect(badInput).toMatchObject({ code: 1, stdout: '' })
    expect(badInput.stderr).toBe(`strands-vllm-drift: ${bad}:line 3: call_index must be a non-negative integer\n`)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/ENOENT/)
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/missing <trajectories.jsonl>[\s\S]*Usage: strands-vllm-drift scan/)
    expect(unknownFlag.code).toBe(2)
  })
})
