import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { extractSnippets, snippetFileName } from './extract-snippets.js'
import { formatRunFailure, formatTypeErrors } from './snippet-report.js'
import { typecheckFiles, userCompilerOptions } from './typecheck-snippets.js'

const md = [
  '# Title', //  1
  '', //  2
  '```ts', //  3
  "import { a } from 'a'", //  4
  '```', //  5
  '', //  6
  '```sh', //  7
  'npm i x', //  8
  '```', //  9
  '<!-- run -->', // 10
  '', // 11
  '````typescript title="main.ts"', // 12
  '```ts', // 13  (a fence inside a longer fence is content)
  '````', // 14
  '- a list item:', // 15
  '', // 16
  '  ~~~TS', // 17
  '  const x = 1', // 18
  '    const y = 2', // 19
  '  ~~~', // 20
  '<!-- run -->', // 21
  'Some words.', // 22
  '```ts', // 23
  'const z = 3', // 24
].join('\n')

describe('extractSnippets', () => {
  const snippets = extractSnippets(md, 'packages/x/README.md')

  it('keeps ts and typescript blocks (any case, ``` or ~~~, any fence length) and nothing else', () => {
    expect(snippets.map((s) => s.fenceLine)).toEqual([3, 12, 17, 23])
  })

  it('takes the code verbatim, stripping only the fence indentation of nested blocks', () => {
    expect(snippets[0]?.code).toBe("import { a } from 'a'\n")
    expect(snippets[1]?.code).toBe('```ts\n')
    expect(snippets[2]).toMatchObject({ indent: 2, code: 'const x = 1\n  const y = 2\n' })
  })

  it('marks a block as a program only when `<!-- run -->` is the last non-blank line before its fence', () => {
    expect(snippets.map((s) => s.run)).toEqual([false, true, false, false])
  })

  it('runs an unclosed fence to the end of the file, as CommonMark does', () => {
    expect(snippets[3]?.code).toBe('const z = 3\n')
  })

  it('names the file after the README folder and fence line', () => {
    expect(snippetFileName(snippets[0]!)).toBe('packages__x-L3.ts')
    expect(snippetFileName({ ...snippets[0]!, readme: 'README.md' })).toBe('root-L3.ts')
  })
})

describe('failure messages', () => {
  it('point compiler errors at the README line and column, with that line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snippet-selftest-'))
    try {
      const snippet = extractSnippets(
        'intro\n\n  ```ts\n  const ok = 1\n  const n: number = ok + "x"\n  ```\n',
        'README.md'
      )[0]!
      const file = join(dir, 'a.ts')
      writeFileSync(file, snippet.code)
      const { byFile } = typecheckFiles([file], { ...userCompilerOptions, types: [] })
      const message = formatTypeErrors(snippet, byFile.get(file) ?? [])
      expect(message).toContain('README.md:5:9 TS2322:')
      expect(message).toContain("Type 'string' is not assignable to type 'number'.")
      expect(message).toContain('    5 | const n: number = ok + "x"')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('say why a run failed and show the end of its output', () => {
    const snippet = extractSnippets('```ts\nx\n```\n', 'packages/tito/README.md')[0]!
    expect(formatRunFailure(snippet, { exitCode: 1, signal: null, timedOut: false, output: 'boom\n' }, 60_000)).toBe(
      'the <!-- run --> block at packages/tito/README.md:1 exited with code 1; its output (last 40 lines):\nboom'
    )
    expect(formatRunFailure(snippet, { exitCode: null, signal: 'SIGKILL', timedOut: true, output: '' }, 60_000)).toBe(
      'the <!-- run --> block at packages/tito/README.md:1 did not exit within 60 s (a server, socket or timer left open?); its output was empty'
    )
  })
})
