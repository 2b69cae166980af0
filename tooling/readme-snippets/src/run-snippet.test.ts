import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runSnippet } from './run-snippet.js'

const dir = mkdtempSync(join(tmpdir(), 'run-snippet-selftest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function program(name: string, source: string): string {
  const file = join(dir, name)
  writeFileSync(file, source)
  return file
}

describe('runSnippet', () => {
  it('runs TypeScript with tsx, without VLLM_* or OTEL_* variables, in an empty working directory', async () => {
    process.env.VLLM_BASE_URL = 'http://127.0.0.1:9/v1'
    try {
      const file = program(
        'ok.ts',
        "import { readdirSync } from 'node:fs'\nconst n: number = readdirSync('.').length\nconsole.log(process.env.VLLM_BASE_URL ?? 'unset', n)\n"
      )
      const result = await runSnippet(file, 30_000)
      expect(result).toMatchObject({ exitCode: 0, timedOut: false })
      expect(result.output.trim()).toBe('unset 0')
    } finally {
      delete process.env.VLLM_BASE_URL
    }
  })

  it('reports the exit code and the output of a failing program', async () => {
    const result = await runSnippet(program('fail.ts', "console.error('boom')\nprocess.exit(3)\n"), 30_000)
    expect(result).toMatchObject({ exitCode: 3, timedOut: false })
    expect(result.output).toContain('boom')
  })

  it('kills a program that never exits (a server left open) and says so', async () => {
    const result = await runSnippet(program('hang.ts', 'setInterval(() => {}, 1000)\n'), 1_500)
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGKILL')
  })
})
