import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, describe, expect, it } from 'vitest'
import { DriftInputError } from './errors.js'
import { parseCallsJsonl, readCallsJsonl } from './jsonl.js'
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
})
