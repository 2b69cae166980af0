import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoPolicy } from './rollout.js'
import { runTokenInSide } from './token-in-side.js'

let mock: MockVLLM
let front: Server
let frontUrl: string

/** A front that forwards only `/v1/…` to the mock, as a gateway in front of vLLM does: no `/tokenize`, `/detokenize`. */
beforeAll(async () => {
  mock = await startMockVLLM({ policy: demoPolicy, seed: 7 })
  const upstream = new URL(mock.url)
  front = createServer((req, res) => {
    if (!req.url?.startsWith('/v1/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}')
      return
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => front?.close(resolve))
  await mock?.close()
})

describe('step 4 against a server token-in cannot use', () => {
  it('skips with one line naming the missing /tokenize, instead of failing the demo', { timeout: 30_000 }, async () => {
    const side = await runTokenInSide({ VLLM_BASE_URL: `${frontUrl}/v1`, VLLM_MODEL_ID: 'Qwen/Qwen3-8B' })
    expect(side.rollout).toBeUndefined()
    expect(side.skipped).toBe(
      `skipped: token-in renders its prompts with POST ${frontUrl}/tokenize, which answered 404 ` +
        '(a gateway in front of vLLM?); point VLLM_BASE_URL at vLLM itself to compare the modes'
    )
    // nothing was generated: token-in fails before sending a prompt it cannot build
    expect(mock.requests.filter((r) => r.path === '/v1/completions')).toEqual([])
  })

  it('the whole demo still runs: one line for each step that needs the server tokenizer', {
    timeout: 90_000,
  }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'drift-demo-gateway-'))
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          VLLM_BASE_URL: `${frontUrl}/v1`,
          VLLM_MODEL_ID: 'Qwen/Qwen3-8B',
          NO_COLOR: '1',
          DRIFT_REPORT_PATH: join(outDir, 'drift-report.html'),
        },
      })
      expect(stdout).toMatch(
        /\[2\/4\] Trajectories · 3 \(2 splits[\s\S]*\n {2}\(causes from ids alone: POST \S+\/detokenize answered 404/
      )
      expect(stdout).toMatch(/\n\[3\/4\] Retokenization drift · skipped: POST \S+\/(de)?tokenize answered 404: .*\n/)
      expect(stdout).toContain(
        `\n[4/4] Chat mode vs token-in · skipped: token-in renders its prompts with POST ${frontUrl}/tokenize, which answered 404`
      )
      expect(readFileSync(join(outDir, 'calls.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4)
      expect(existsSync(join(outDir, 'calls-token-in.jsonl'))).toBe(false)
      expect(stdout).not.toContain('HTML report')
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  })

  it('runs when the server has /tokenize', { timeout: 30_000 }, async () => {
    const side = await runTokenInSide({ VLLM_BASE_URL: mock.baseUrl, VLLM_MODEL_ID: 'Qwen/Qwen3-8B' })
    try {
      expect(side.skipped).toBeUndefined()
      expect(side.rollout?.history.map((c) => c.tokenIn?.prompt)).toEqual([
        'rendered',
        'extended',
        'extended',
        'extended',
      ])
    } finally {
      await side.rollout?.close()
    }
  })
})
