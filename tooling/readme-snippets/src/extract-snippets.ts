import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** One ```ts / ```typescript block of a README. */
export interface Snippet {
  /** README path relative to the repository root, with `/`. */
  readme: string
  /** 1-based README line of the opening fence. */
  fenceLine: number
  /** Spaces stripped from every code line (fences nested in list items are indented). */
  indent: number
  code: string
  /** Preceded by `<!-- run -->`: a complete program, run against the mock server. */
  run: boolean
}

const LANGS = new Set(['ts', 'typescript'])
const OPEN = /^( *)(`{3,}|~{3,})(.*)$/
const RUN_MARKER = /^\s*<!--\s*run\s*-->\s*$/

/** The README.md files a user reads: the root one and one level under packages/, examples/, tooling/. */
function findReadmes(root: string): string[] {
  const found = existsSync(join(root, 'README.md')) ? ['README.md'] : []
  for (const area of ['packages', 'examples', 'tooling']) {
    if (!existsSync(join(root, area))) continue
    for (const entry of readdirSync(join(root, area), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name)
    )) {
      if (entry.isDirectory() && existsSync(join(root, area, entry.name, 'README.md'))) {
        found.push(`${area}/${entry.name}/README.md`)
      }
    }
  }
  return found
}

/** The TypeScript blocks of one markdown text, by CommonMark fence rules (``` or ~~~, any length). */
export function extractSnippets(markdown: string, readme: string): Snippet[] {
  const lines = markdown.split(/\r?\n/)
  const snippets: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? '')
    if (!open) continue
    const [, spaces = '', fence = '', info = ''] = open
    if (fence.startsWith('`') && info.includes('`')) continue // an inline code span, not a fence
    const indent = spaces.length
    const char = fence[0] ?? '`'
    const close = new RegExp(`^ *\\${char}{${fence.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end] ?? '')) end++
    const lang = info.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
    if (LANGS.has(lang)) {
      const code = lines
        .slice(i + 1, end)
        .map((line) => line.replace(new RegExp(`^ {0,${indent}}`), ''))
        .join('\n')
      snippets.push({ readme, fenceLine: i + 1, indent, code: `${code}\n`, run: precededByRunMarker(lines, i) })
    }
    i = end
  }
  return snippets
}

function precededByRunMarker(lines: string[], fenceIndex: number): boolean {
  for (let j = fenceIndex - 1; j >= 0; j--) {
    const line = lines[j] ?? ''
    if (line.trim() === '') continue
    return RUN_MARKER.test(line)
  }
  return false
}

/** Every TypeScript block of every README under `root`. */
export function extractAll(root: string): Snippet[] {
  return findReadmes(root).flatMap((readme) => extractSnippets(readFileSync(join(root, readme), 'utf8'), readme))
}

/** A stable file name for a block: its README's folder and fence line. */
export function snippetFileName(snippet: Snippet): string {
  const folder = snippet.readme.replace(/\/?README\.md$/, '').replaceAll('/', '__') || 'root'
  return `${folder}-L${snippet.fenceLine}.ts`
}
