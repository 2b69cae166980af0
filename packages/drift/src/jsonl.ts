import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { fromTitoRecords, parseTitoJsonl, type TitoCallRecord, TitoJsonlError } from '@strands-vllm/tito'
import type { DriftCallRecord } from './call-record.js'
import { DriftInputError } from './errors.js'

/** Something the reader repaired or skipped (e.g. an incomplete last line), said instead of failing. */
export interface DriftInputWarning {
  source: string | undefined
  /** 1-based line number. */
  line: number
  message: string
}

export interface ReadCallsOptions {
  /** Receives each warning; default `console.warn`. */
  onWarning?: (warning: DriftInputWarning) => void
}

const warnToConsole = (w: DriftInputWarning): void => {
  console.warn(`[strands-vllm/drift] ${w.source === undefined ? '' : `${w.source}:`}line ${w.line}: ${w.message}`)
}

/**
 * Parse per-call `tito-call/1` JSONL (as `@strands-vllm/tito`'s `writeTitoJsonl` writes it) into analysis
 * records. Blank lines are skipped; a last line cut mid-record (no final newline: the writer stopped) is
 * skipped with a warning, as tito's reader does; anything else that is not a valid record throws a
 * `DriftInputError` naming the line, so nothing is silently dropped.
 */
export function parseCallsJsonl(text: string, options: { source?: string } & ReadCallsOptions = {}): DriftCallRecord[] {
  const out: DriftCallRecord[] = []
  const lines = text.split('\n')
  const warn = options.onWarning ?? warnToConsole
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.trim() === '') continue
    const record = parseCallLine(line, i + 1, options.source, { last: i === lines.length - 1, onWarning: warn })
    if (record) out.push(record)
  }
  return out
}

/** Compressed formats recognised by their magic bytes; only gzip is read directly. */
const MAGIC: ReadonlyArray<{ name: string; bytes: readonly number[]; tool: string }> = [
  { name: 'gzip', bytes: [0x1f, 0x8b], tool: 'gzip -d' },
  { name: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd -d' },
  { name: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz -d' },
  { name: 'bzip2', bytes: [0x42, 0x5a, 0x68], tool: 'bzip2 -d' },
  { name: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04], tool: 'unzip' },
]

/**
 * Read a per-call `tito-call/1` JSONL file line by line, reporting bytes read (for a progress bar). A
 * gzip-compressed file (`calls.jsonl.gz`, recognised by its content, not its name) is decompressed on the
 * fly; other compressed formats, a missing file, a directory or an unreadable file throw a one-line
 * `DriftInputError` that names the file.
 */
export async function readCallsJsonl(
  path: string,
  options: { onProgress?: (bytesRead: number, totalBytes: number) => void } & ReadCallsOptions = {}
): Promise<DriftCallRecord[]> {
  const warn = options.onWarning ?? warnToConsole
  const total = await inputSize(path)
  const format = await compression(path)
  if (format && format.name !== 'gzip') {
    throw new DriftInputError(
      `is ${format.name}-compressed; decompress it first (${format.tool}) — gzip files are read directly`,
      { source: path }
    )
  }
  const raw = createReadStream(path)
  const input: Readable = format ? pipeline(raw, createGunzip(), () => {}) : raw
  input.setEncoding('utf8')
  const out: DriftCallRecord[] = []
  let lineNumber = 0
  let rest = ''
  const take = (line: string, last: boolean): void => {
    lineNumber++
    if (line.trim() !== '') {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line
      const record = parseCallLine(text, lineNumber, path, { last, onWarning: warn })
      if (record) out.push(record)
    }
    if (lineNumber % 256 === 0) options.onProgress?.(Math.min(raw.bytesRead, total), total)
  }
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let from = 0
      let nl = chunk.indexOf('\n')
      while (nl >= 0) {
        take(rest + chunk.slice(from, nl), false)
        rest = ''
        from = nl + 1
        nl = chunk.indexOf('\n', from)
      }
      rest += chunk.slice(from)
    }
    if (rest !== '') take(rest, true)
  } catch (error) {
    if (DriftInputError.isInstance(error)) throw error
    throw readError(path, error, format !== undefined)
  } finally {
    raw.destroy()
    input.destroy()
  }
  options.onProgress?.(total, total)
  return out
}

/** The file's size; a missing file, a directory or a permission problem becomes a one-line `DriftInputError`. */
async function inputSize(path: string): Promise<number> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) {
      throw new DriftInputError('is a directory; give a tito-call/1 JSONL file (one model call per line)', {
        source: path,
      })
    }
    return info.size
  } catch (error) {
    if (DriftInputError.isInstance(error)) throw error
    throw readError(path, error, false)
  }
}

async function compression(path: string): Promise<(typeof MAGIC)[number] | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(path, 'r')
    const head = Buffer.alloc(6)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return MAGIC.find((m) => m.bytes.length <= bytesRead && m.bytes.every((b, i) => head[i] === b))
  } catch (error) {
    throw readError(path, error, false)
  } finally {
    await handle?.close()
  }
}

function readError(path: string, error: unknown, gzip: boolean): DriftInputError {
  const code = (error as { code?: unknown } | null)?.code
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory; give a tito-call/1 JSONL file (one model call per line)',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  }
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code === 'string' && known[code]) return new DriftInputError(known[code], { source: path, cause: error })
  if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
    return new DriftInputError(`is not a readable gzip file (${message})`, { source: path, cause: error })
  }
  return new DriftInputError(`cannot be read (${message})`, { source: path, cause: error })
}

/**
 * One JSONL line → record, validated by `@strands-vllm/tito`'s reader; throws `DriftInputError` naming the
 * line. `last`: the line had no final newline, so a cut record is skipped with a warning (returns undefined).
 */
function parseCallLine(
  line: string,
  lineNumber: number,
  source?: string,
  options: { last?: boolean; onWarning?: (warning: DriftInputWarning) => void } = {}
): DriftCallRecord | undefined {
  const warn = options.onWarning ?? warnToConsole
  let call: TitoCallRecord
  try {
    // tito's reader skips an unparsable *last* line; a line followed by a newline must parse.
    const parsed = parseTitoJsonl(options.last ? line : `${line}\n`, {
      onWarning: (w) => warn({ source, line: lineNumber, message: w.message }),
    })
    const [record] = fromTitoRecords(parsed)
    if (!record) return undefined
    call = record
  } catch (error) {
    const where = { line: lineNumber, ...(source === undefined ? {} : { source }), cause: error }
    if (TitoJsonlError.isInstance(error)) {
      throw new DriftInputError(withoutSchemaHint(line) ?? error.message.replace(/^line \d+: /, ''), where)
    }
    // Anything else the reader throws (a record it let through but cannot convert) is still bad input: name the line.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new DriftInputError(`not a usable tito-call/1 record (${reason})`, where)
  }
  return toDriftRecord(call)
}

/** On the error path only: a JSON object without `schema` is another format, which deserves its own sentence. */
function withoutSchemaHint(line: string): string | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'schema' in value) return undefined
  return 'no "schema" key: not a tito-call/1 record (expected the per-call JSONL that writeTitoJsonl writes, not trainer rows or chat logs)'
}

/** The analysis fields of a recorder-history entry (`recorder.history` items fit as they are). */
function toDriftRecord(call: TitoCallRecord): DriftCallRecord {
  const record: DriftCallRecord = {
    callIndex: call.callIndex,
    finishReason: call.finishReason,
    stopReason: call.stopReason,
    status: call.status,
    invocationIndex: call.invocationIndex,
    attempt: call.attempt,
  }
  if (call.rolloutId !== undefined) record.rolloutId = call.rolloutId
  if (call.promptTokenIds) record.promptTokenIds = call.promptTokenIds
  if (call.tokenIds) record.tokenIds = call.tokenIds
  if (call.logprobs) record.logprobs = call.logprobs
  return record
}
