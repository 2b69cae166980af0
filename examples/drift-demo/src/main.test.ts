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
    const intro = lines.slice(0, 16).join('\n')
    expect(lines[0]).toBe('strands-vllm · retokenization drift demo')
    expect(intro).toContain('TITO (Token-In/Token-Out) means: record the exact token ids vLLM saw and sampled')
    expect(intro).toMatch(
      /1\. Rollout[\s\S]*2\. Trajectories[\s\S]*3\. Drift[\s\S]*4\. Token-in {6}the same episode in chat mode and in token-in mode/
    )
    expect(intro).toContain(
      `Files are written to ${outDir}: calls.jsonl (one line per model call), calls-token-in.jsonl (the same\n` +
        '  episode in token-in mode) and drift-report.html.'
    )
    expect(stdout).toMatch(
      /\[1\/4\] Rollout ·[\s\S]*\[2\/4\] Trajectories ·[\s\S]*\[3\/4\] Retokenization drift[\s\S]*\[4\/4\] Chat mode vs token-in ·/
    )
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
    // step 4: the same episode in both modes, call by call, then what the builder made of each
    const step4 = stdout.slice(stdout.indexOf('[4/4]'), stdout.indexOf('\nFiles\n'))
    expect(step4).toMatch(/call 0 +40 tokens +176 tokens, the first prompt +176 tokens, rendered \(first_call\)/)
    expect(step4).toMatch(/call 1 +39 tokens +240 tokens, extends call 0 +240 tokens = 176 \+ 40 sampled \+ 24 bridge/)
    expect(step4).toMatch(
      /call 2 +35 tokens +296 tokens, breaks at token 269: tool_call_reserialized +295 tokens = 240 \+ 39/
    )
    expect(step4).toMatch(
      /call 3 +18 tokens +304 tokens, breaks at token 176: reasoning_stripped +347 tokens = 295 \+ 35/
    )
    expect(step4).toContain('sampled ids identical in both modes: yes (4 calls, 132 tokens, compared id for id)')
    expect(step4).toMatch(/trajectories +3 \(2 splits\) +1 \(no split\)/)
    expect(step4).toMatch(/divergences +call 2 tool_call_reserialized, call 3 reasoning_stripped +none/)
    expect(step4).toMatch(/tokens to train on +932 in 3 sequences \(800 context\) +365 in 1 sequence \(233 context\)/)
    expect(step4).toMatch(/sampled tokens lost +45 of 132 \(call 1: 10, call 2: 35\) +0 of 132/)
    expect(step4).toContain(
      "(onDivergence: 'trust-server'), chat mode would lose 114 of 132 sampled tokens, token-in 0 of 132."
    )
    expect(readFileSync(join(outDir, 'calls.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4)
    const tokenInLines = readFileSync(join(outDir, 'calls-token-in.jsonl'), 'utf8').trim().split('\n')
    const requests = tokenInLines.map(
      (line) => (JSON.parse(line) as { request: { mode?: string; token_in?: { prompt: string } } }).request
    )
    expect(requests.map((r) => [r.mode, r.token_in?.prompt])).toEqual([
      ['token-in', 'rendered'],
      ['token-in', 'extended'],
      ['token-in', 'extended'],
      ['token-in', 'extended'],
    ])
    expect(stdout).toContain(`the same episode in token-in mode:         ${join(outDir, 'calls-token-in.jsonl')}`)
    expect(readFileSync(htmlPath, 'utf8')).toContain('id="drift-data"')
  })
})
