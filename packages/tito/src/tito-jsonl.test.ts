import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { TitoJsonlError } from './errors.js'
import { sha256TokenIds } from './sha256.js'
import {
  fromTitoRecords,
  parseTitoJsonl,
  readTitoJsonl,
  TITO_CALL_SCHEMA,
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
      [`${good[0]}\n{not json`, /line 2: not valid JSON/],
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
