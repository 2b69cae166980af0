import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ConsumerProject,
  createConsumerProject,
  engineWarnings,
  installedCopies,
  installedVersion,
  packageDirs,
  repoRoot,
  runBin,
  runIn,
} from './consumer-project.js'

/**
 * What a user outside the monorepo does: the tarballs `pnpm pack` makes (what `changeset publish`
 * uploads) installed with plain npm next to the peers the READMEs name, then `import` and `require`
 * of every package, the CLIs, and one recorded rollout. attw cannot see any of this: it does not
 * follow our imports into the ESM-only Strands SDK.
 */

/** A value each package must export, proving the entry point really loaded. */
const probes: Record<string, string> = {
  tokenizer: 'loadQwen3Tokenizer',
  'mock-server': 'startMockVLLM',
  model: 'VLLMModel',
  tito: 'VLLMTokenRecorder',
  validation: 'VLLMToolValidationHooks',
  drift: 'retokenizationDrift',
  'agent-lightning': 'createAglModel',
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)

let project: ConsumerProject

beforeAll(() => {
  for (const dir of packageDirs) {
    if (!existsSync(join(repoRoot, 'packages', dir, 'dist', 'index.js'))) {
      throw new Error(`packages/${dir}/dist is missing: run \`pnpm build\` before this test`)
    }
  }
  project = createConsumerProject()
})

afterAll(() => {
  project?.close()
})

describe('the workspace', () => {
  it('points every `bin` at a committed launcher, so a fresh `pnpm install` can link it before the build', () => {
    for (const dir of packageDirs) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages', dir, 'package.json'), 'utf8')) as {
        bin?: Record<string, string>
      }
      for (const [name, target] of Object.entries(manifest.bin ?? {})) {
        const file = join('packages', dir, target)
        const tracked = execFileSync('git', ['ls-files', '--', file], { cwd: repoRoot, encoding: 'utf8' }).trim()
        expect(tracked, `${name} → ${file} must be a file in git, not a build output`).toBe(file)
      }
    }
  })
})

describe('the packed tarballs', () => {
  it('keep no `workspace:` range: sibling dependencies are real semver ranges', () => {
    for (const { dir, manifestText } of project.packed) {
      expect(manifestText, `packages/${dir} tarball package.json`).not.toContain('workspace:')
      const manifest = JSON.parse(manifestText) as { dependencies?: Record<string, string> }
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (name.startsWith('@strands-vllm/')) expect(range, `${dir} → ${name}`).toMatch(/^\^\d+\.\d+\.\d+/)
      }
    }
  })

  it('contain every file their package.json points at (entry points, types, bin launchers)', () => {
    for (const { dir, manifestText, files } of project.packed) {
      const manifest = JSON.parse(manifestText) as { bin?: Record<string, string>; main?: string; module?: string }
      const targets = [manifest.main, manifest.module, ...Object.values(manifest.bin ?? {})].filter(
        (t): t is string => typeof t === 'string'
      )
      for (const target of targets) expect(files, `${dir}: ${target}`).toContain(target.replace(/^\.\//, ''))
    }
  })
})

describe(`npm install on Node ${process.versions.node}`, () => {
  it('prints EBADENGINE only where the Strands SDK demands Node 22 (none on Node ≥ 22.12, the SDK alone on 20.19+)', () => {
    const warned = engineWarnings(project.installLog)
    // Every EBADENGINE block was parsed (a format change must not pass as "no warnings").
    expect(project.installLog.match(/Unsupported engine/g)?.length ?? 0).toBe(warned.length)
    if (major > 22 || (major === 22 && minor >= 12)) {
      expect(warned, project.installLog).toEqual([])
    } else if (major === 20 && minor >= 19) {
      expect(warned, project.installLog).toEqual(['@strands-agents/sdk'])
    } else {
      throw new Error(`Node ${process.versions.node} is outside our engines (^20.19.0 || >=22.12.0)`)
    }
  })

  it('picks @strands-agents/sdk ≥ 1.19 (not the Node-20-compatible 1.16) and openai 6, once each', () => {
    const [sdkMajor = 0, sdkMinor = 0] = installedVersion(project, '@strands-agents/sdk').split('.').map(Number)
    expect(sdkMajor === 1 && sdkMinor >= 19, `@strands-agents/sdk ${sdkMajor}.${sdkMinor}`).toBe(true)
    expect(installedVersion(project, 'openai')).toMatch(/^6\./)
    expect(installedCopies(project, '@strands-agents/sdk')).toHaveLength(1)
    expect(installedCopies(project, 'openai')).toHaveLength(1)
  })

  it.each([
    ['strands-vllm-mock', 'strands-vllm-mock'],
    ['strands-vllm-drift', 'strands-vllm-drift'],
  ])('links a working `%s` command', (bin, usage) => {
    const result = runBin(project, bin, ['--help'])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(usage)
  })
})

describe.each(packageDirs)('@strands-vllm/%s from its tarball', (dir) => {
  const name = `@strands-vllm/${dir}`
  const probe = JSON.stringify(probes[dir])

  it('has a probe export listed in this test', () => {
    expect(probes[dir], `add the name of one export of packages/${dir} to \`probes\``).toBeTypeOf('string')
  })

  it('loads every subpath export with import and require', () => {
    const manifest = JSON.parse(project.packed.find((p) => p.dir === dir)?.manifestText ?? '{}') as {
      exports?: Record<string, unknown>
    }
    const subpaths = Object.keys(manifest.exports ?? {}).filter((k) => k !== '.' && k !== './package.json')
    for (const subpath of subpaths) {
      const spec = JSON.stringify(`${name}${subpath.slice(1)}`)
      const esm = runIn(project, `sub-${dir}.mjs`, `console.log(Object.keys(await import(${spec})).length)`)
      const cjs = runIn(project, `sub-${dir}.cjs`, `console.log(Object.keys(require(${spec})).length)`)
      expect(Number(esm), `import ${spec}`).toBeGreaterThan(0)
      expect(Number(cjs), `require ${spec}`).toBeGreaterThan(0)
    }
  })

  it('names its errors, marks them with Symbol.for("strands-vllm.error.<Name>"), and isInstance holds across ESM and CJS', () => {
    // Every exported error class, built from each module system and checked by the other: what `instanceof` fails at.
    const script = `import { createRequire } from 'node:module'
const esm = await import('${name}')
const cjs = createRequire(import.meta.url)('${name}')
const isError = (k) => typeof esm[k] === 'function' && esm[k].prototype instanceof Error && typeof esm[k].isInstance === 'function'
const classes = Object.keys(esm).filter(isError)
const problems = []
for (const k of classes) {
  const fromEsm = new esm[k]('x', {})
  const fromCjs = new cjs[k]('x', {})
  if (fromEsm.name !== k) problems.push(k + ': name is ' + fromEsm.name)
  if (fromEsm[Symbol.for('strands-vllm.error.' + k)] !== true) problems.push(k + ': no Symbol.for marker')
  if (!cjs[k].isInstance(fromEsm) || !esm[k].isInstance(fromCjs)) problems.push(k + ': isInstance fails across copies')
  if (esm[k].isInstance(new Error('x')) || esm[k].isInstance(null)) problems.push(k + ': accepts a plain Error')
  for (const j of classes) {
    if (esm[j].isInstance(fromEsm) !== fromEsm instanceof esm[j]) problems.push(j + '.isInstance(' + k + ') is not instanceof')
  }
}
console.log(JSON.stringify({ classes: classes.length, problems }))`
    const out = JSON.parse(runIn(project, `errors-${dir}.mjs`, script)) as { classes: number; problems: string[] }
    expect(out.problems).toEqual([])
    expect(out.classes, 'every package throws typed errors').toBeGreaterThan(0)
  })

  it('loads with import (ESM)', () => {
    const out = runIn(
      project,
      `probe-${dir}.mjs`,
      `const m = await import('${name}'); console.log(typeof m[${probe}], Object.keys(m).length)`
    )
    expect(out).toMatch(/^(function|object) \d+$/)
  })

  it('loads with require (CJS)', () => {
    const out = runIn(
      project,
      `probe-${dir}.cjs`,
      `const m = require('${name}'); console.log(typeof m[${probe}], Object.keys(m).length)`
    )
    expect(out).toMatch(/^(function|object) \d+$/)
  })
})

describe('the installed packages work together', () => {
  it('tokenizes with the shipped Qwen3 data from both module systems', () => {
    expect(
      runIn(
        project,
        'tok.cjs',
        `console.log(JSON.stringify(require('@strands-vllm/tokenizer').loadQwen3Tokenizer().encode('Hello world')))`
      )
    ).toBe('[9707,1879]')
    expect(
      runIn(
        project,
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
    const out = JSON.parse(runIn(project, `rollout.${ext}`, `${load}\n${body}`).split('\n').pop() ?? '{}')
    expect(out).toEqual({ status: 'exact', same: true, trajectories: 1, reencoded: [72239, 1718] })
  })
})
