import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fromTitoRecords, parseTitoJsonl, type TitoCallRecord, TitoJsonlError } from '@strands-vllm/tito'
import type { DriftCallRecord } from './call-record.js'
import { DriftInputError } from './errors.js'

/**
 * Parse canonical `tito-call/1` JSONL (as `@strands-vllm/tito` writes it) into analysis records. Blank
 * lines are skipped; anything else that is not a valid record throws a `DriftInputError` naming the
 * line, so nothing is silently dropped.
 */
export function parseCallsJsonl(text: string, options: { source?: string } = {}): DriftCallRecord[] {
  const out: DriftCallRecord[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.trim() === '') continue
    out.push(parseCallLine(line, i + 1, options.source))
  }
  return out
}

/** Read a `tito-call/1` JSONL file line by line, reporting bytes read (for a progress bar). */
export async function readCallsJsonl(
  path: string,
  options: { onProgress?: (bytesRead: number, totalBytes: number) => void } = {}
): Promise<DriftCallRecord[]> {
  const total = (await stat(path)).size
  const stream = createReadStream(path, { encoding: 'utf8' })
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
  const out: DriftCallRecord[] = []
  let lineNumber = 0
  let bytes = 0
  try {
    for await (const line of lines) {
      lineNumber++
      bytes += Buffer.byteLength(line) + 1
      if (line.trim() !== '') out.push(parseCallLine(line, lineNumber, path))
      if (lineNumber % 256 === 0) options.onProgress?.(Math.min(bytes, total), total)
    }
  } finally {
    lines.close()
    stream.destroy()
  }
  options.onProgress?.(total, total)
  return out
}

/** One JSONL line → record, validated by `@strands-vllm/tito`'s reader; throws `DriftInputError` naming the line. */
export function parseCallLine(line: string, lineNumber: number, source?: string): DriftCallRecord {
  let call: TitoCallRecord
  try {
    const [record] = fromTitoRecords(parseTitoJsonl(line))
    if (!record) throw new TitoJsonlError('empty line', 1)
    call = record
  } catch (error) {
    const where = { line: lineNumber, ...(source === undefined ? {} : { source }), cause: error }
    if (TitoJsonlError.isInstance(error)) throw new DriftInputError(error.message.replace(/^line \d+: /, ''), where)
    // Anything else the reader throws (a record it let through but cannot convert) is still bad input: name the line.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new DriftInputError(`not a usable tito-call/1 record (${reason})`, where)
  }
  return toDriftRecord(call)
}

/** The analysis fields of a recorder-history entry (`recorder.history` items fit as they are). */
export function toDriftRecord(call: TitoCallRecord): DriftCallRecord {
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
  return record
}
