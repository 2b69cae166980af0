import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * attw cannot follow our imports into the ESM-only Strands SDK, so this test does what a
 * user does: pack every package, install the tarballs with their peers into a fresh
 * project, then `import` and `require` each one and touch its public API.
 */
const root = join(import.meta.dirname, '..', '..', '..')
const packagesDir = join(root, 'packages')
const packages = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'package.json')))

/** A value each package must export, proving the entry point really loaded. */
const probes: Record<string, string> = {
  tokenizer: 'loadQwen3Tokenizer',
  'mock-server': 'startMockVLLM',
  model: 'VLLMModel',
  tito: 'VLLMTokenRecorder',
  validation: 'VLLMToolValidationHooks',
  drift: 'retokenizationDrift',
}

let work: string

beforeAll(() => {
  for (const dir of packages) {
    if (!existsSync(join(packagesDir, dir, 'dist', 'index.js'))) {
      throw new Error(`packages/${dir}/dist is missing: run \`pnpm build\` before this test`)
    }
  }
  work = mkdtempSync(join(tmpdir(), 'strands-vllm-pack-'))
  const tarballs = packages.map((dir) => {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', work], {
      cwd: join(packagesDir, dir),
      encoding: 'utf8',
    })
    const file = out.trim().split('\n').pop() ?? ''
    return file.startsWith('/') ? file : join(work, file)
  })
  const peers = readPeers()
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }))
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...peers],
    { cwd: work, stdio: 'pipe', env: { ...process.env, npm_config_engine_strict: 'false' } }
  )
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

function readPeers(): string[] {
  const pinned: Record<string, string> = {}
  for (const dir of packages) {
    const pkg = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>
      devDependencies?: Record<string, string>
    }
    for (const name of Object.keys(pkg.peerDependencies ?? {})) {
      const version = pkg.devDependencies?.[name]
      if (version) pinned[name] = version
    }
  }
  // The SDK's main entry statically imports these non-optional peers of its own.
  pinned['@modelcontextprotocol/sdk'] ??= '1.32.2'
  pinned.zod ??= '4.6.7'
  return Object.entries(pinned).map(([name, version]) => `${name}@${version}`)
}

function run(file: string, source: string): string {
  writeFileSync(join(work, file), source)
  return execFileSync('node', [file], { cwd: work, encoding: 'utf8' }).trim()
}

describe.each(packages)('@strands-vllm/%s from its tarball', (dir) => {
  const name = `@strands-vllm/${dir}`
  const probe = probes[dir]

  it('loads with import (ESM)', () => {
    const out = run(
      `probe-${dir}.mjs`,
      `const m = await import('${name}'); console.log(typeof m[${JSON.stringify(probe)}], Object.keys(m).length)`
    )
    expect(out).toMatch(/^(function|object) \d+$/)
  })

  it('loads with require (CJS)', () => {
    const out = run(
      `probe-${dir}.cjs`,
      `const m = require('${name}'); console.log(typeof m[${JSON.stringify(probe)}], Object.keys(m).length)`
    )
    expect(out).toMatch(/^(function|object) \d+$/)
  })
})

describe('the installed packages work together', () => {
  it('tokenizes with the shipped Qwen3 data from both module systems', () => {
    expect(
      run(
        'tok.cjs',
        `console.log(JSON.stringify(require('@strands-vllm/tokenizer').loadQwen3Tokenizer().encode('Hello world')))`
      )
    ).toBe('[9707,1879]')
    expect(
      run(
        'tok.mjs',
        `import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'; console.log(JSON.stringify(loadQwen3Tokenizer().encode('Hello world')))`
      )
    ).toBe('[9707,1879]')
  })

  it.each(['cjs', 'mjs'])('runs a recorded agent rollout against the mock server (%s)', (ext) => {
    const load =
      ext === 'cjs'
        ? `const { Agent, NullConversationManager } = require('@strands-agents/sdk')
const { startMockVLLM } = require('@strands-vllm/mock-server')
const { VLLMModel } = require('@strands-vllm/model')
const { VLLMTokenRecorder, buildTrajectories } = require('@strands-vllm/tito')
const { VLLMToolValidationHooks } = require('@strands-vllm/validation')
const { retokenizationDrift } = require('@strands-vllm/drift')
const { loadQwen3Tokenizer } = require('@strands-vllm/tokenizer')`
        : `import { Agent, NullConversationManager } from '@strands-agents/sdk'
import { startMockVLLM } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { VLLMTokenRecorder, buildTrajectories } from '@strands-vllm/tito'
import { VLLMToolValidationHooks } from '@strands-vllm/validation'
import { retokenizationDrift } from '@strands-vllm/drift'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'`
    const body = `
async function main() {
  const mock = await startMockVLLM()
  try {
    const recorder = new VLLMTokenRecorder()
    const model = new VLLMModel({ baseUrl: mock.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true })
    const agent = new Agent({ model, plugins: [recorder, new VLLMToolValidationHooks()], printer: false,
      conversationManager: new NullConversationManager(), retryStrategy: null })
    await agent.invoke('Say hello.')
    const [call] = recorder.history
    const sent = mock.requests[0].tokenIds
    const { trajectories } = buildTrajectories(recorder.history)
    const drift = await retokenizationDrift([39, 83722], loadQwen3Tokenizer())
    console.log(JSON.stringify({ status: call.status, same: JSON.stringify(call.tokenIds) === JSON.stringify(sent),
      trajectories: trajectories.length, reencoded: drift.reencoded.ids }))
  } finally {
    await mock.close()
  }
}
main().catch((e) => { console.error(e); process.exit(1) })
`
    const out = JSON.parse(run(`rollout.${ext}`, `${load}\n${body}`).split('\n').pop() ?? '{}')
    expect(out).toEqual({ status: 'exact', same: true, trajectories: 1, reencoded: [72239, 1718] })
  })
})
