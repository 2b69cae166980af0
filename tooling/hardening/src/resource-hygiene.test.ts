import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { calculatorPolicy, startMockVLLM } from '@strands-vllm/mock-server'
import { describe, expect, it } from 'vitest'
import { runRollout } from './rollout.js'

/** Resource types a rollout could leak; vitest's own worker handles are excluded by diffing against a baseline. */
const LEAKABLE = new Set(['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate', 'TTYWrap', 'FSReqCallback'])

function leakable(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) {
    if (LEAKABLE.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1)
  }
  return counts
}

/** Sockets close a tick after `close()` resolves; wait for the event loop to settle instead of sleeping. */
async function settled(before: Map<string, number>): Promise<Map<string, number>> {
  let now = leakable()
  for (let i = 0; i < 50 && [...now].some(([type, n]) => n > (before.get(type) ?? 0)); i++) {
    await new Promise((resolve) => setImmediate(resolve))
    now = leakable()
  }
  return now
}

describe('resource hygiene', () => {
  it('a rollout (success and failures) leaves no socket, server or timer behind once the mock is closed', async () => {
    const before = leakable()
    const mock = await startMockVLLM({ policy: calculatorPolicy() })
    const ok = await runRollout({ baseUrl: mock.baseUrl, deadlineMs: 10_000 })
    const cut = await runRollout({ baseUrl: mock.baseUrl, faultOnFirstAttempt: 'close-mid-body:2' })
    const throttled = await runRollout({ baseUrl: mock.baseUrl, faultOnFirstAttempt: 'status:429', retry: true })
    const cancelled = await runRollout({
      baseUrl: mock.baseUrl,
      faultOnFirstAttempt: 'slow:20',
      cancelOnFirstDelta: true,
    })
    expect(ok.error).toBeUndefined()
    expect(cut.error).toBeDefined()
    expect(throttled.error).toBeUndefined()
    expect(cancelled.result?.stopReason).toBe('cancelled')
    await mock.close()
    const after = await settled(before)
    for (const [type, n] of after)
      expect(n, `${type}: ${before.get(type) ?? 0} before, ${n} after`).toBeLessThanOrEqual(before.get(type) ?? 0)
  })

  it('a process running a full rollout exits by itself with code 0', async () => {
    const script = fileURLToPath(new URL('../fixtures/one-rollout.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    let killed = false
    // Generous bound: the tokenizer load and tsx compile dominate; a leaked handle would keep it alive forever.
    const guard = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, 60_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    clearTimeout(guard)
    expect(killed, `the child did not exit by itself:\n${out}`).toBe(false)
    expect(code, out).toBe(0)
    expect(out).toContain('rollout done: exact,exact')
  })
})
