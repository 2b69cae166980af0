import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { TitoJsonlError } from './errors.js'
import { sha256TokenIds } from './sha256.js'
import { titoSpanAttributes } from './span-attributes.js'
import {
  fromTitoRecords,
  parseTitoJsonl,
  readTitoJsonl,
  TITO_CALL_SCHEMA,
  type TitoJsonlWarning,
  toTitoJsonl,
  writeTitoJsonl,
} from './tito-jsonl.js'

function record(callIndex: number, prompt: number[] | undefined, response: number[] | undefined): TitoCallRecord {
  const r: TitoCallRecord = {
    callIndex,
    invocationIndex: 0,
    attempt: 1,
    rolloutId: 'r-7',
    status: prompt && response ? 'exact' : 'missing',
    reasons: prompt && response ? [] : [{ code: 'token_ids_missing', message: 'no ids' }],
    finishReason: 'stop',
    stopReason: null,
    agentStopReason: 'endTurn',
    usage: { promptTokens: prompt?.length ?? 0, completionTokens: response?.length ?? 0, totalTokens: 0 },
    responseId: `chatcmpl-${callIndex}`,
    model: 'Qwen/Qwen3-8B',
    sampling: { temperature: 0.7, max_tokens: 64 },
    toolUses: [{ id: 'chatcmpl-tool-1', name: 'add' }],
    timing: { startMs: 10, firstByteMs: 20, endMs: 30 },
  }
  if (prompt) r.promptTokenIds = prompt
  if (response) {
    r.tokenIds = response
    r.logprobs = response.map(() => -0.5)
  }
  return r
}

const history = [
  record(0, [1, 2], [3, 151645]),
  record(1, undefined, undefined),
  record(2, [1, 2, 3, 151645, 198, 4], [5]),
]

describe('canonical JSONL', () => {
  it('writes one schema-versioned snake_case line per call, with hashes and prefix checks', () => {
    const lines = toTitoJsonl(history).trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    const first = JSON.parse(lines[0]!)
    expect(first).toMatchObject({
      schema: TITO_CALL_SCHEMA,
      rollout_id: 'r-7',
      call_index: 0,
      response: { id: 'chatcmpl-0', finish_reason: 'stop', tool_calls: [{ id: 'chatcmpl-tool-1', name: 'add' }] },
      tokens: { prompt_ids: [1, 2], completion_ids: [3, 151645], prompt_sha256: sha256TokenIds([1, 2]) },
      checks: { tito_status: 'exact', prefix: { relation: 'first', bridge_len: 2 } },
      timing: { start_ms: 10, first_byte_ms: 20, end_ms: 30 },
    })
    expect(JSON.parse(lines[1]!).checks.prefix.relation).toBe('excluded')
    expect(JSON.parse(lines[2]!).checks.prefix).toEqual({
      relation: 'extends',
      previous_call: 0,
      diverge_at: null,
      cause: null,
      bridge_len: 2,
    })
  })

  it('hashes ids as little-endian uint32 (reproducible in Python with numpy)', () => {
    // hashlib.sha256(np.asarray([1, 2], dtype='<u4').tobytes()).hexdigest()
    expect(sha256TokenIds([1, 2])).toBe('34fb5c825de7ca4aea6e712f19d439c1da0c92c37b423936c5f618545ca4fa1f')
    expect(sha256TokenIds([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('round-trips through a file into history the builder accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tito-'))
    try {
      const path = join(dir, 'calls.jsonl')
      await writeTitoJsonl(path, history)
      const back = fromTitoRecords(await readTitoJsonl(path))
      expect(back).toEqual(history)
      const { trajectories, excluded } = buildTrajectories(back)
      expect(Array.from(trajectories[0]!.tokenIds)).toEqual([1, 2, 3, 151645, 198, 4, 5])
      expect(excluded.map((e) => e.callIndex)).toEqual([1])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('rejects bad lines with typed errors naming the line', () => {
    const good = toTitoJsonl(history).split('\n')
    const tampered = JSON.parse(good[2]!)
    tampered.tokens.prompt_ids[0] = 99
    const cases: Array<[string, RegExp]> = [
      [`${good[0]}\n{not json\n${good[1]}`, /line 2: not valid JSON/],
      [`${good[0]}\n${good[1]}\n${JSON.stringify(tampered)}`, /line 3: tokens.prompt_sha256 does not match/],
      [JSON.stringify({ ...JSON.parse(good[0]!), schema: 'tito-call/0' }), /line 1: unsupported schema/],
      [
        JSON.stringify({
          ...JSON.parse(good[0]!),
          tokens: { ...JSON.parse(good[0]!).tokens, completion_logprobs: [-1] },
        }),
        /line 1: tokens.completion_logprobs has 1 entries for 2 ids/,
      ],
    ]
    for (const [text, message] of cases) {
      let error: unknown
      try {
        parseTitoJsonl(text)
      } catch (e) {
        error = e
      }
      expect(TitoJsonlError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
  })

  it('rejects corrupt fields that would crash readers downstream, naming the line', () => {
    const good = JSON.parse(toTitoJsonl(history).split('\n')[0]!)
    const big = [4, 0xfffffff0]
    const variants: Array<[(r: Record<'checks' | 'response' | 'tokens', Record<string, unknown>>) => void, RegExp]> = [
      [(r) => (r.checks.reasons = [null]), /checks\.reasons\[0\] must be an object/],
      [(r) => (r.checks.reasons = [{ code: 1, message: 'x' }]), /checks\.reasons\[0\]\.code must be a string/],
      [(r) => (r.response.tool_calls = [null]), /response\.tool_calls\[0\] must be an object/],
      [(r) => (r.response.tool_calls = [{ id: 'a' }]), /response\.tool_calls\[0\]\.name must be a string/],
      [(r) => (r.response.finish_reason = 7), /response\.finish_reason must be a string or null/],
      [(r) => (r.response.usage = 'lots'), /response\.usage/],
      [(r) => (r.response.error = { name: 'E' }), /response\.error\.message must be a string/],
      [(r) => delete r.response.id, /response\.id must be a string or null/],
      [(r) => (r.checks.prefix = { relation: 'banana' }), /checks\.prefix\.relation must be one of/],
      [
        (r) => {
          r.tokens.completion_ids = null
          r.tokens.completion_sha256 = null
          r.tokens.completion_logprobs = null
        },
        /tito_status is "exact" but/,
      ],
      [(r) => (r.tokens.prompt_ids = null), /prompt_sha256 must be null when prompt_ids is null/],
      [
        (r) => {
          r.tokens.completion_ids = big
          r.tokens.completion_sha256 = sha256TokenIds(big)
          r.tokens.completion_logprobs = null
        },
        /completion_ids\[1\] is not a token id/,
      ],
    ]
    for (const [mutate, message] of variants) {
      const r = structuredClone(good)
      mutate(r)
      let error: unknown
      try {
        parseTitoJsonl(`\n${JSON.stringify(r)}`)
      } catch (e) {
        error = e
      }
      expect(TitoJsonlError.isInstance(error), String(message)).toBe(true)
      expect((error as Error).message).toMatch(/^line 2: /)
      expect((error as Error).message).toMatch(message)
    }
  })

  it('labels a call a retry replaced as superseded, and the retry as retry', () => {
    const calls = [record(0, [1, 2, 3], [4, 5]), { ...record(1, [1, 2, 3], [6, 7]), attempt: 2 }]
    const lines = parseTitoJsonl(toTitoJsonl(calls))
    expect(lines.map((l) => [l.call_index, l.checks.prefix.relation])).toEqual([
      [0, 'superseded'],
      [1, 'retry'],
    ])
  })
})

describe('non-exact records (issue 13.4)', () => {
  /** An incomplete call whose capture kept a null logprob (what older model versions recorded). */
  const broken = (): TitoCallRecord => ({
    ...record(0, [1, 2], [3, 4, 151645]),
    status: 'incomplete',
    reasons: [{ code: 'logprobs_invalid', message: 'a logprob was null' }],
    logprobs: [-0.5, null as unknown as number, -0.25],
  })

  it('the writer never writes what its reader rejects: the untrusted logprobs are dropped, the ids stay', () => {
    const warnings: TitoJsonlWarning[] = []
    const [back] = fromTitoRecords(parseTitoJsonl(toTitoJsonl([broken()]), { onWarning: (w) => warnings.push(w) }))
    expect(warnings).toEqual([])
    expect(back).toMatchObject({ status: 'incomplete', promptTokenIds: [1, 2], tokenIds: [3, 4, 151645] })
    expect(back!.logprobs).toBeUndefined()
    expect(back!.reasons.map((r) => r.code)).toEqual(['logprobs_invalid', 'logprobs_invalid'])
  })

  it('an exact call with misaligned logprobs is written as incomplete, never as exact with shifted logprobs', () => {
    const shifted = { ...record(0, [1, 2], [3, 4]), logprobs: [-0.5] }
    const [line] = parseTitoJsonl(toTitoJsonl([shifted]))
    expect(line!.checks.tito_status).toBe('incomplete')
    expect(line!.checks.reasons.map((r) => r.code)).toContain('logprobs_misaligned')
    expect(line!.tokens.completion_logprobs).toBeNull()
  })

  it('the reader keeps a bad non-exact record, drops what cannot be trusted and warns with the line', () => {
    const good = toTitoJsonl(history).trimEnd().split('\n')
    const foreign = JSON.parse(good[0]!)
    foreign.checks.tito_status = 'incomplete'
    foreign.tokens.completion_logprobs = [-1, null]
    foreign.tokens.prompt_ids = [1, 99] // tampered: fails its hash
    foreign.response.usage = 'lots'
    const warnings: TitoJsonlWarning[] = []
    const text = [good[1], JSON.stringify(foreign), good[2]].join('\n')
    const records = parseTitoJsonl(text, { onWarning: (w) => warnings.push(w) })
    expect(records).toHaveLength(3)
    expect(records[1]!.tokens).toMatchObject({ prompt_ids: null, prompt_sha256: null, completion_logprobs: null })
    expect(records[1]!.tokens.completion_ids).toEqual([3, 151645])
    expect(records[1]!.response.usage).toBeNull()
    expect(warnings.map((w) => w.line)).toEqual([2, 2, 2])
    const messages = warnings.map((w) => w.message).join('\n')
    for (const what of [/usage/, /prompt_sha256 does not match/, /completion_logprobs must be an array of finite/]) {
      expect(messages).toMatch(what)
    }
    // The same defects on an exact record still fail, naming the line.
    const exact = { ...foreign, checks: { ...foreign.checks, tito_status: 'exact' } }
    expect(() => parseTitoJsonl(`${good[1]}\n${JSON.stringify(exact)}`)).toThrow(/line 2: /)
  })

  it('skips a torn last line with a warning and keeps every earlier line; corrupt JSON elsewhere still throws', () => {
    const text = toTitoJsonl(history)
    const torn = `${text}${text.split('\n')[0]!.slice(0, 57)}`
    const warnings: TitoJsonlWarning[] = []
    const records = parseTitoJsonl(torn, { onWarning: (w) => warnings.push(w) })
    expect(fromTitoRecords(records)).toEqual(history)
    expect(warnings).toEqual([{ line: 4, message: expect.stringMatching(/incomplete last line/) }])
    expect(() => parseTitoJsonl(`${torn}\n`)).toThrow(/line 4: not valid JSON/)
  })

  it('reads records written before the optional keys existed', () => {
    const old = JSON.parse(toTitoJsonl(history).split('\n')[0]!)
    expect(old.session_id).toBeUndefined()
    expect(old.request.mode).toBeUndefined()
    const [call] = fromTitoRecords(parseTitoJsonl(JSON.stringify(old)))
    expect(call).toEqual(history[0])
  })

  it('spans never pair misaligned logprobs with ids', () => {
    expect(titoSpanAttributes({ ...record(0, [1], [2, 3]), logprobs: [-1] })['logprobs.content']).toBeUndefined()
    expect(titoSpanAttributes(broken())['logprobs.content']).toBeUndefined()
    const aligned = JSON.parse(titoSpanAttributes(record(0, [1], [2, 3]))['logprobs.content'] as string)
    expect(aligned.map((e: { token: string }) => e.token)).toEqual(['token_id:2', 'token_id:3'])
  })
})
