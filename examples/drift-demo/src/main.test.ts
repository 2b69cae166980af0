import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const demoDir = fileURLToPath(new URL('..', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'drift-demo-'))
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

describe('pnpm demo, as a reader sees it', () => {
  it('says what TITO is, what comes and where the files go, then keeps one naming style', {
    timeout: 90_000,
  }, async () => {
    const htmlPath = join(outDir, 'drift-report.html')
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: demoDir,
      env: { ...process.env, VLLM_BASE_URL: '', NO_COLOR: '1', DRIFT_REPORT_PATH: htmlPath },
    })
    const lines = stdout.split('\n')
    const intro = lines.slice(0, 14).join('\n')
    expect(lines[0]).toBe('strands-vllm · retokenization drift demo')
    expect(intro).toContain('TITO (Token-In/Token-Out) means: record the exact token ids vLLM saw and sampled')
    expect(intro).toMatch(/1\. Rollout[\s\S]*2\. Trajectories[\s\S]*3\. Drift/)
    expect(intro).toContain(
      `Files are written to ${outDir}: calls.jsonl (one line per model call) and drift-report.html.`
    )
    expect(stdout).toMatch(/\[1\/3\] Rollout ·[\s\S]*\[2\/3\] Trajectories ·[\s\S]*\[3\/3\] Retokenization drift/)
    // calls are `call N`, lengths are tokens: never "ids" as a unit, never `rollout#N`
    expect(stdout).toMatch(/call 0 +tool_calls +prompt +\d+ tokens +sampled +\d+ tokens +exact → calc/)
    expect(stdout).not.toMatch(/\d+ ids\b/)
    expect(stdout).not.toMatch(/drift-demo#\d/)
    expect(stdout).toMatch(/trajectory 0 +calls 0, 1 +\d+ tokens +mask: \d+ sampled \(1\), \d+ context \(0\)/)
    expect(stdout).toMatch(/breaks at token \d+ \(sampled token \d+ of call 1\): tool_call_reserialized/)
    // byte-level pieces are explained once, before the first piece is shown
    const note = stdout.indexOf('Pieces are byte-level BPE')
    expect(note).toBeGreaterThan(0)
    expect(stdout.indexOf('Pieces are byte-level BPE', note + 1)).toBe(-1)
    expect(note).toBeLessThan(stdout.indexOf('39 H │ 83722 AVING'))
    // the built-in examples are labelled, and the verdict is about this rollout
    expect(stdout).toContain('Built-in examples (not your data): sampled ids → decode → re-encode')
    expect(stdout).toMatch(/Verdict on your data\n {2}Your data drifts/)
    expect(readFileSync(join(outDir, 'calls.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4)
    expect(readFileSync(htmlPath, 'utf8')).toContain('id="drift-data"')
  })
})
