import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseChunks, post, sseData, TOOLS } from './__fixtures__/http.js'
import { parseFaults } from './faults.js'
import { calculatorPolicy } from './policies/calculator.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({ policy: calculatorPolicy() })
})
afterAll(() => mock.close())

const body = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [{ role: 'user', content: 'What is 6 * 7?' }],
  tools: TOOLS,
  return_token_ids: true,
  stream: true,
  stream_options: { include_usage: true },
  ...extra,
})
const chat = (fault: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  post(`${mock.baseUrl}/chat/completions`, body(extra), { 'x-mock-fault': fault })

describe('parseFaults', () => {
  it('reads the header syntax', () => {
    expect(parseFaults('flat-error-shape,status:503, cut-stream:3')).toEqual([
      { type: 'flat-error-shape' },
      { type: 'status', status: 503 },
      { type: 'cut-stream', afterChunks: 3 },
    ])
    expect(() => parseFaults('nope')).toThrow(/unknown fault/)
    expect(() => parseFaults('slow')).toThrow(/integer/)
  })
})

describe('stream faults', () => {
  it('cut-stream: k data chunks, clean end, no [DONE]; record shows what was sent', async () => {
    const data = await sseData(await chat('cut-stream:3'))
    expect(data).toHaveLength(3)
    expect(data).not.toContain('[DONE]')
    const rec = mock.requests.at(-1)
    const sent = parseChunks(data).flatMap((c) => c.choices[0]?.token_ids ?? [])
    expect(rec?.tokenIds).toEqual(sent)
    expect(rec?.generatedTokenIds?.length).toBeGreaterThan(sent.length)
  })

  it('close-mid-body: the socket dies mid-body', async () => {
    const res = await chat('close-mid-body:2')
    await expect(res.text()).rejects.toThrow()
  })

  it('malformed-chunk: one `data: {not json` line, then the stream goes on', async () => {
    const data = await sseData(await chat('malformed-chunk:2'))
    expect(data[2]).toBe('{not json')
    expect(data.at(-1)).toBe('[DONE]')
  })

  it('mid-stream-error: data: {"error": …} then [DONE]', async () => {
    const data = await sseData(await chat('mid-stream-error:2'))
    expect(data).toHaveLength(4)
    expect(JSON.parse(data[2] ?? '')).toEqual({
      error: { message: 'mock: injected mid-stream error', type: 'InternalServerError', param: null, code: 500 },
    })
    expect(data[3]).toBe('[DONE]')
  })

  it('slow: the stream still completes', async () => {
    const data = await sseData(await chat('slow:1'))
    expect(data.at(-1)).toBe('[DONE]')
  })

  it('drop-parser-ids: buffered chunks vanish, usage still counts them', async () => {
    const chunks = parseChunks(await sseData(await chat('drop-parser-ids')))
    const ids = chunks.flatMap((c) => c.choices[0]?.token_ids ?? [])
    const usage = chunks.at(-1)?.usage
    expect(ids.length).toBeLessThan(usage?.completion_tokens ?? 0)
    expect(
      chunks.every(
        (c) =>
          c.choices.length === 0 || Object.keys(c.choices[0]?.delta ?? {}).length > 0 || c.choices[0]?.finish_reason
      )
    ).toBe(true)
    const rec = mock.requests.at(-1)
    expect(rec?.tokenIds).toEqual(ids)
    expect(rec?.generatedTokenIds).toHaveLength(usage?.completion_tokens ?? -1)
  })

  it('missing-prompt-ids: no prompt_token_ids, but the record keeps them', async () => {
    const chunks = parseChunks(await sseData(await chat('missing-prompt-ids')))
    expect(chunks[0]).not.toHaveProperty('prompt_token_ids')
    expect(mock.requests.at(-1)?.promptTokenIds?.length).toBe(chunks.at(-1)?.usage?.prompt_tokens)
  })

  it('legacy-reasoning-field: reasoning_content instead of reasoning', async () => {
    const chunks = parseChunks(await sseData(await chat('legacy-reasoning-field')))
    expect(chunks.some((c) => 'reasoning_content' in (c.choices[0]?.delta ?? {}))).toBe(true)
    expect(chunks.some((c) => 'reasoning' in (c.choices[0]?.delta ?? {}))).toBe(false)
  })
})

describe('status faults', () => {
  it.each([429, 503, 500])('status:%i with vLLM error body', async (status) => {
    const res = await chat(`status:${status}`)
    expect(res.status).toBe(status)
    const json = (await res.json()) as { error: { code: number } }
    expect(json.error.code).toBe(status)
  })

  it('flat-error-shape: the old {"object": "error"} body', async () => {
    const res = await chat('flat-error-shape,status:503')
    expect(await res.json()).toEqual({
      object: 'error',
      message: 'mock: injected 503',
      type: 'ServiceUnavailableError',
      param: null,
      code: 503,
    })
  })

  it.each([
    [1, /^This model's maximum context length is 32768 tokens\. However, your request has \d+ input tokens\./],
    [2, /^'max_tokens' or 'max_completion_tokens' is too large/],
    [3, /However, you requested \d+ tokens \(\d+ in the messages, \d+ in the completion\)/],
    [4, /^You passed \d+ input tokens and requested \d+ output tokens/],
  ])('context-variant:%i', async (variant, pattern) => {
    const res = await chat(`context-variant:${variant}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(pattern)
  })

  it('server-wide faults apply to every request; health reports 503', async () => {
    const sick = await startMockVLLM({ faults: { type: 'status', status: 503 } })
    try {
      expect((await fetch(`${sick.url}/health`)).status).toBe(503)
    } finally {
      await sick.close()
    }
  })

  it('non-streaming body faults truncate the JSON', async () => {
    const res = await chat('cut-stream:1', { stream: false, stream_options: undefined })
    await expect(res.json()).rejects.toThrow()
  })
})
