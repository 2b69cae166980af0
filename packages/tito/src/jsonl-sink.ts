import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type ConversationWalker, conversationWalker, emptyBuildResult, type Pending } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { classifyDivergence } from './divergence.js'
import { RecorderError } from './errors.js'
import { canonicalTitoCall, prefixOf, toTitoRecord } from './tito-jsonl.js'

/** Recorder option `sink`: append every finished call to canonical JSONL as it completes. */
export interface TitoJsonlSinkOptions {
  /**
   * The file, or a function of the record choosing it (e.g. `(c) => \`runs/${c.rolloutId}.jsonl\`` for one file per
   * rollout). Several recorders, and several processes, may share one file: each line is one `O_APPEND` write.
   */
  path: string | ((call: TitoCallRecord) => string)
  /** `fsync` after each line (survives a power loss, not only a killed process). Default false. */
  fsync?: boolean
}

/** Paths this process already checked for a torn last line (a writer killed mid-line before us). */
const checked = new Set<string>()

/**
 * Append one line with a single `write` on an `O_APPEND` descriptor, so lines of concurrent writers never
 * interleave and a killed process leaves at most its own last line torn. Before the first line this process writes
 * to a file, a torn last line left by someone else is closed with a newline, so it cannot swallow ours.
 */
function appendJsonlLine(path: string, line: string, options: { fsync?: boolean } = {}): void {
  const file = resolve(path)
  if (!checked.has(file)) mkdirSync(dirname(file), { recursive: true })
  // `a+`: O_APPEND (every write lands at the end, whoever else appends) and readable, to check the last byte.
  const fd = openSync(file, 'a+')
  try {
    let text = line
    if (!checked.has(file)) {
      checked.add(file)
      if (endsTorn(fd)) text = `\n${line}`
    }
    const bytes = Buffer.from(text, 'utf8')
    let written = 0
    // One write in practice; a short write (disk full) continues rather than leaving a torn line behind silently.
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
    if (options.fsync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function endsTorn(fd: number): boolean {
  const size = fstatSync(fd).size
  if (size === 0) return false
  const last = Buffer.alloc(1)
  readSync(fd, last, 0, 1, size - 1)
  return last[0] !== 0x0a
}

/**
 * Writes a recorder's calls as they finish. Each line is the canonical record with its prefix check computed
 * against the calls before it (the trajectory builder's walker, fed one call at a time). A call a later retry
 * replaces keeps the relation it had when written; the retry's own line (`relation: "retry"`, `previous_call`)
 * names it, and `buildTrajectories(fromTitoRecords(read))` recomputes everything from the file.
 */
export class TitoJsonlSink {
  private walker: ConversationWalker
  private result = emptyBuildResult()
  private pending: Pending[] = []
  private position = 0

  constructor(private readonly options: TitoJsonlSinkOptions) {
    this.walker = conversationWalker({ checkTokenIn: false }, this.result, this.pending)
  }

  /** Forget the conversation (the recorder reset): the next call starts a new one. */
  reset(): void {
    this.result = emptyBuildResult()
    this.pending = []
    this.position = 0
    this.walker = conversationWalker({ checkTokenIn: false }, this.result, this.pending)
  }

  /** The JSONL line for this call (newline-terminated), given every earlier call of the conversation. */
  line(call: TitoCallRecord): string {
    const canonical = canonicalTitoCall(call)
    const position = this.position++
    const before = this.pending.length
    this.walker.push(canonical, position)
    for (const p of this.pending.slice(before)) {
      const { cause } = classifyDivergence(p.input)
      p.divergence.cause = cause
      if (p.link) p.link.cause = cause
    }
    // The walker adds at most one link per call, last; a retry only removes an earlier one.
    const last = this.result.calls.at(-1)
    const link = last?.position === position ? last : undefined
    return `${JSON.stringify(toTitoRecord(canonical, prefixOf(link, false)))}\n`
  }

  /** Append this call's line. Throws `RecorderError` (naming the file) when it cannot be written. */
  append(call: TitoCallRecord): void {
    const path = typeof this.options.path === 'function' ? this.options.path(call) : this.options.path
    const text = this.line(call)
    try {
      appendJsonlLine(path, text, this.options.fsync === undefined ? {} : { fsync: this.options.fsync })
    } catch (error) {
      throw new RecorderError(
        `could not append call ${call.callIndex} to the JSONL sink ${path}: ${(error as Error).message}`,
        { cause: error }
      )
    }
  }
}
