import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** The CLI as a user runs it: a separate process, its stderr and exit code. */
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 })

/** stderr as lines, without the blank tail. */
const lines = (text: string): string[] => text.split('\n').filter((line) => line.length > 0)

describe('strands-vllm-mock usage errors: one line, exit 2', () => {
  it.each([
    [
      ['--port', 'abc'],
      /^strands-vllm-mock: --port must be an integer from 0 to 65535, got "abc" \(--help for usage\)$/,
    ],
    [['--bogus'], /^strands-vllm-mock: unknown option --bogus \(--help for usage\)$/],
  ])('%j', (args, pattern) => {
    const result = run(...args)
    expect(result.status).toBe(2)
    expect(lines(result.stderr)).toHaveLength(1)
    expect(lines(result.stderr)[0]).toMatch(pattern)
  })

  describe('a busy port', () => {
    let taken: Server
    let port = 0
    beforeAll(async () => {
      taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
      port = (taken.address() as { port: number }).port
    })
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())))

    it('says which address is taken and what to do', () => {
      const result = run('--port', String(port))
      expect(result.status).toBe(2)
      expect(lines(result.stderr)).toEqual([
        `strands-vllm-mock: 127.0.0.1:${port} is already in use; stop the other server or pick another --port (--port 0 picks a free one) (--help for usage)`,
      ])
    })
  })
})

describe('strands-vllm-mock runs', () => {
  it('--port 0 listens, serves, and exits 0 on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--tool-parser', 'qwen3_coder'],
      {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      child.on('exit', (code) => reject(new Error(`exited ${code} before listening`)))
    })
    const health = await fetch(`${baseUrl.replace(/\/v1$/, '')}/health`)
    expect(health.status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
