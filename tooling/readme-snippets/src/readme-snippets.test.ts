import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { extractAll, type Snippet, snippetFileName } from './extract-snippets.js'
import { runSnippet } from './run-snippet.js'
import { formatRunFailure, formatTypeErrors, snippetLabel } from './snippet-report.js'
import { type TypecheckResult, typecheckFiles } from './typecheck-snippets.js'

/**
 * Docs that run: every ```ts block of every README, written as a file inside the workspace so it
 * resolves @strands-vllm/* to the built dist exactly as a user's project resolves node_modules,
 * typechecked in one program with a fresh project's compiler options, and, when marked with
 * `<!-- run -->`, run with tsx against the in-process mock (no VLLM_BASE_URL).
 */
const root = join(import.meta.dirname, '..', '..', '..')
const outDir = join(import.meta.dirname, '..', '.generated')
const RUN_TIMEOUT_MS = 30_000

const snippets = extractAll(root)
const fileOf = (snippet: Snippet): string => join(outDir, snippetFileName(snippet))
const cases = snippets.map((s) => [snippetLabel(s), s] as const)
const programs = cases.filter(([, s]) => s.run)

rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
for (const snippet of snippets) writeFileSync(fileOf(snippet), snippet.code)

beforeAll(() => {
  const unbuilt = readdirSync(join(root, 'packages')).filter(
    (dir) => existsSync(join(root, 'packages', dir, 'package.json')) && !existsSync(join(root, 'packages', dir, 'dist'))
  )
  if (unbuilt.length > 0) {
    throw new Error(
      `README snippets compile against the built packages; run \`pnpm build\` first (${unbuilt.join(', ')})`
    )
  }
})

it('finds TypeScript blocks in the READMEs', () => {
  expect(snippets.length).toBeGreaterThan(0)
})

describe('every README ts block typechecks (strict, nodenext, as `tsc --init` sets up)', () => {
  let result: TypecheckResult

  beforeAll(() => {
    result = typecheckFiles(snippets.map(fileOf))
  })

  it.each(cases)('%s', (_label, snippet) => {
    const diagnostics = result.byFile.get(fileOf(snippet)) ?? []
    if (diagnostics.length > 0) throw new Error(formatTypeErrors(snippet, diagnostics))
  })

  it('reports nothing outside the snippet files (compiler options, declaration files)', () => {
    expect(result.other).toEqual([])
  })
})

describe.runIf(programs.length > 0)('every `<!-- run -->` block runs against the mock and exits 0', () => {
  it.each(programs)('%s', async (_label, snippet) => {
    const run = await runSnippet(fileOf(snippet), RUN_TIMEOUT_MS)
    if (run.exitCode !== 0) throw new Error(formatRunFailure(snippet, run, RUN_TIMEOUT_MS))
  })
})
