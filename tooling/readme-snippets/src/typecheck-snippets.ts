import { resolve } from 'node:path'
import ts from 'typescript'

/**
 * A Node project as a user starts it today: the checks `tsc --init` (TypeScript 5.9) writes (strict,
 * nodenext modules, no unchecked index access, exact optional properties, verbatim module syntax)
 * with the lib of `@tsconfig/node22` (ES2024, no DOM) and Node's types. No DOM on purpose: under
 * @types/node alone `Response.json()` is `Promise<unknown>`, not DOM's `Promise<any>`.
 */
export const userCompilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2024.d.ts'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
  skipLibCheck: true,
  noEmit: true,
}

export interface FileDiagnostic {
  /** 1-based line and column in the snippet file. */
  line: number
  column: number
  code: number
  message: string
}

export interface TypecheckResult {
  /** Diagnostics per absolute snippet file path (files without errors are absent). */
  byFile: Map<string, FileDiagnostic[]>
  /** Diagnostics that belong to no snippet file (options, library files). */
  other: string[]
}

/** One program for all files: one pass over the shared declaration files, a few seconds in all. */
export function typecheckFiles(files: readonly string[], options = userCompilerOptions): TypecheckResult {
  const program = ts.createProgram({ rootNames: files, options })
  const wanted = new Set(files.map((f) => resolve(f)))
  const byFile = new Map<string, FileDiagnostic[]>()
  const other: string[] = []
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    const fileName = d.file ? resolve(d.file.fileName) : undefined
    if (!d.file || !fileName || !wanted.has(fileName)) {
      other.push(`${d.file?.fileName ?? '(options)'}: TS${d.code} ${message}`)
      continue
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
    const list = byFile.get(fileName) ?? []
    list.push({ line: line + 1, column: character + 1, code: d.code, message })
    byFile.set(fileName, list)
  }
  return { byFile, other }
}
