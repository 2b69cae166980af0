import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, describe, expect, it } from 'vitest'
import { DriftInputError } from './errors.js'
import { type DriftInputWarning, parseCallsJsonl, readCallsJsonl } from './jsonl.js'
import { syntheticCalls, syntheticTitoJsonl } from './synthetic-calls.js'

const dir = mkdtempSync(join(tmpdir(), 'drift-jsonl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const records = syntheticCalls(loadQwen3Tokenizer(), {
  rollouts: 2,
  turnsPerRollout: 2,
  tokensPerResponse: 30,
  splitRate: 0.1,
})
const text = syntheticTitoJsonl(records)
const firstLine = JSON.parse(text.split('\n')[0] as string) as Record<string, Record<string, unknown>>

describe('parseCallsJsonl', () => {
  it('reads the canonical JSONL tito writes back to the same records', () => {
    expect(parseCallsJsonl(`${text}\n\n`)).toEqual(records)
  })

  it.each([
    ['bad JSON', '{not json', /not valid JSON/],
    ['wrong schema', JSON.stringify({ ...firstLine, schema: 'other' }), /unsupported schema "other"/],
    ['bad call_index', JSON.stringify({ ...firstLine, call_index: 'x' }), /call_index must be a non-negative integer/],
    [
      'ids not matching their SHA-256',
      JSON.stringify({ ...firstLine, tokens: { ...firstLine.tokens, completion_ids: [1, 2] } }),
      /completion_sha256 does not match/,
    ],
  ])('rejects %s with a typed error naming the line', (_, bad, message) => {
    let error: unknown
    try {
      parseCallsJsonl(`${text}${bad}\n`, { source: 'data.jsonl' })
    } catch (e) {
      error = e
    }
    expect(DriftInputError.isInstance(error)).toBe(true)
    expect((error as DriftInputError).line).toBe(records.length + 1)
    expect((error as Error).message).toMatch(new RegExp(`^data\\.jsonl:line ${records.length + 1}: `))
    expect((error as Error).message).toMatch(message)
  })
})

describe('readCallsJsonl', () => {
  it('streams a file to the same records and reports progress', async () => {
    const file = join(dir, 'calls.jsonl')
    writeFileSync(file, text)
    const progress: number[] = []
    const read = await readCallsJsonl(file, { onProgress: (done, total) => progress.push(done / total) })
    expect(read).toEqual(records)
    expect(progress.at(-1)).toBe(1)
  })

  it('reads gzip transparently (by content, not by name) and CRLF line ends', async () => {
    const gz = join(dir, 'calls.data')
    writeFileSync(gz, gzipSync(Buffer.from(text.replace(/\n/g, '\r\n'))))
    expect(await readCallsJsonl(gz)).toEqual(records)
  })

  it('names the file in one line for a missing file, a directory, another compression, a cut gzip', async () => {
    const folder = join(dir, 'folder')
    mkdirSync(folder, { recursive: true })
    const xz = join(dir, 'calls.jsonl.xz')
    writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]))
    const cut = join(dir, 'cut.gz')
    writeFileSync(cut, gzipSync(Buffer.from(text)).subarray(0, 100))
    const messages = await Promise.all(
      [join(dir, 'missing.jsonl'), folder, xz, cut].map((p) =>
        readCallsJsonl(p).then(
          () => 'no error',
          (e: unknown) => (DriftInputError.isInstance(e) ? e.message : `untyped: ${String(e)}`)
        )
      )
    )
    expect(messages).toEqual([
      `${join(dir, 'missing.jsonl')}: no such file`,
      `${folder}: is a directory; give a tito-call/1 JSONL file (one model call per line)`,
      `${xz}: is xz-compressed; decompress it first (xz -d) — gzip files are read directly`,
      `${cut}: is not a readable gzip file (unexpected end of file)`,
    ])
  })

  it('says "no schema key" for JSON that is not a tito-call/1 record', () => {
    const { schema: _, ...row } = firstLine
    expect(() => parseCallsJsonl(`${JSON.stringify(row)}\n`, { source: 'rows.jsonl' })).toThrow(
      'rows.jsonl:line 1: no "schema" key: not a tito-call/1 record'
    )
  })

  it('skips a last line cut mid-record with a warning (the writer stopped), like tito', async () => {
    const cutText = `${text}${JSON.stringify(firstLine).slice(0, 40)}`
    const warnings: DriftInputWarning[] = []
    expect(parseCallsJsonl(cutText, { source: 'x', onWarning: (w) => warnings.push(w) })).toEqual(records)
    const file = join(dir, 'cut.jsonl')
    writeFileSync(file, cutText)
    expect(await readCallsJsonl(file, { onWarning: (w) => warnings.push(w) })).toEqual(records)
    expect(warnings.map((w) => [w.source, w.line, w.message.startsWith('incomplete last line')])).toEqual([
      ['x', records.length + 1, true],
      [file, records.length + 1, true],
    ])
    // the same cut line followed by a newline is an error, never skipped
    expect(() => parseCallsJsonl(`${cutText}\n`)).toThrow(/line \d+: not valid JSON/)
  })
})
