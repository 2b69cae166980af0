import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData, TOOLS } from './__fixtures__/http.js'
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

describe('round-2 faults', () => {
  const completionBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    prompt: mock.tokenizer.encodeChat([{ role: 'user', content: 'What is 6 * 7?' }], { tools: TOOLS as never }),
    max_tokens: 200,
    return_token_ids: true,
    ...extra,
  })
  const completion = (fault: string, extra: Record<string, unknown> = {}): Promise<Response> =>
    post(`${mock.baseUrl}/completions`, completionBody(extra), fault ? { 'x-mock-fault': fault } : {})
  const streamedIds = (chunks: ReturnType<typeof parseChunks>): number[] =>
    chunks.flatMap((c) => c.choices[0]?.token_ids ?? [])

  it('parses the new names', () => {
    expect(parseFaults('finish:abort,finish:repetition,pause:2,pause:0.5:3,throttle,bare-cr')).toEqual([
      { type: 'finish', reason: 'abort' },
      { type: 'finish', reason: 'repetition' },
      { type: 'pause', seconds: 2, times: 1 },
      { type: 'pause', seconds: 0.5, times: 3 },
      { type: 'throttle' },
      { type: 'bare-cr' },
    ])
    expect(parseFaults('logprobs-misaligned,choice-index')).toHaveLength(2)
    expect(() => parseFaults('finish:length')).toThrow(/abort or repetition/)
    expect(() => parseFaults('pause:x')).toThrow(/seconds/)
  })

  it('finish:abort cuts after half the ids, no EOS, finish_reason abort (chat + completions, stream + JSON)', async () => {
    const full = (
      (await (
        await post(`${mock.baseUrl}/chat/completions`, body({ stream: false, stream_options: undefined }))
      ).json()) as Json
    ).choices[0].token_ids as number[]
    const chunks = parseChunks(await sseData(await chat('finish:abort')))
    const ids = streamedIds(chunks)
    expect(ids).toEqual(full.slice(0, Math.floor(full.length / 2)))
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]?.finish_reason)).toEqual(['abort'])
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(ids.length)
    expect(mock.requests.at(-1)?.finishReason).toBe('abort')
    const json = (await (await chat('finish:abort', { stream: false, stream_options: undefined })).json()) as Json
    expect(json.choices[0].finish_reason).toBe('abort')
    expect(json.choices[0].token_ids).toEqual(ids)
    const text = (await (await completion('finish:abort')).json()) as Json
    expect(text.choices[0].finish_reason).toBe('abort')
    expect(text.choices[0].token_ids.at(-1)).not.toBe(151645)
    const streamed = parseChunks(await sseData(await completion('finish:abort', { stream: true })))
    expect(streamed.at(-1)?.choices[0]?.finish_reason).toBe('abort')
    expect(streamedIds(streamed)).toEqual(text.choices[0].token_ids)
  })

  it('finish:repetition drops the EOS and finishes repetition', async () => {
    const full = ((await (await completion('')).json()) as Json).choices[0].token_ids as number[]
    expect(full.at(-1)).toBe(151645)
    const json = (await (await completion('finish:repetition')).json()) as Json
    expect(json.choices[0]).toMatchObject({
      finish_reason: 'repetition',
      stop_reason: null,
      token_ids: full.slice(0, -1),
    })
    const chunks = parseChunks(await sseData(await chat('finish:repetition')))
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('repetition')
    expect(streamedIds(chunks).at(-1)).not.toBe(151645)
    const plain = (await (await chat('finish:repetition', { stream: false, stream_options: undefined })).json()) as Json
    expect(plain.choices[0].finish_reason).toBe('repetition')
  })

  it('logprobs-misaligned: one chunk one entry short, the next one over, totals equal', async () => {
    const chunks = parseChunks(await sseData(await chat('logprobs-misaligned', { logprobs: true }))).filter(
      (c) => c.choices.length > 0 && c.choices[0]?.token_ids
    )
    const counts = chunks.map((c): [number, number] => [
      c.choices[0]?.token_ids?.length ?? 0,
      c.choices[0]?.logprobs?.content.length ?? 0,
    ])
    expect(counts[0]).toEqual([1, 0])
    expect(counts[1]).toEqual([1, 2])
    expect(counts.slice(2).every(([ids, lps]) => ids === lps)).toBe(true)
    const total = counts.reduce((s, [ids, lps]): [number, number] => [s[0] + ids, s[1] + lps], [0, 0])
    expect(total[0]).toBe(total[1])
    const text = parseChunks(await sseData(await completion('logprobs-misaligned', { stream: true, logprobs: 0 })))
    const lens = text.map((c) => [c.choices[0]?.token_ids?.length, (c.choices[0] as Json)?.logprobs?.tokens.length])
    expect(lens.slice(0, 2)).toEqual([
      [1, 0],
      [1, 2],
    ])
    const json = (await (await completion('logprobs-misaligned', { logprobs: 0 })).json()) as Json
    const { tokens } = json.choices[0].logprobs
    expect(tokens).toHaveLength(json.choices[0].token_ids.length)
    expect(tokens[0]).toBe(mock.tokenizer.decode([json.choices[0].token_ids[1]]))
  })

  it('choice-index: chunks for index 1 interleaved with index 0 although n is 1; JSON has two choices', async () => {
    const chunks = parseChunks(await sseData(await chat('choice-index')))
    const indices = chunks.flatMap((c) => c.choices.map((ch) => ch.index))
    expect(new Set(indices)).toEqual(new Set([0, 1]))
    expect(indices.slice(2, 6)).toEqual([0, 1, 0, 1])
    const json = (await (await chat('choice-index', { stream: false, stream_options: undefined })).json()) as Json
    expect(json.choices.map((c: Json) => c.index)).toEqual([0, 1])
    const text = (await (await completion('choice-index')).json()) as Json
    expect(text.choices).toHaveLength(2)
  })

  it('bare-cr: SSE events end with \\r\\r only, and still carry the whole stream', async () => {
    const raw = await (await chat('bare-cr')).text()
    expect(raw).not.toContain('\n')
    const events = raw.split('\r\r').filter(Boolean)
    expect(events.at(-1)).toBe('data: [DONE]')
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as Json)
    expect(chunks.at(-1).usage.completion_tokens).toBe(
      chunks.reduce((s: number, c: Json) => s + (c.choices[0]?.token_ids?.length ?? 0), 0)
    )
    const text = await (await completion('bare-cr', { stream: true })).text()
    expect(text.endsWith('data: [DONE]\r\r')).toBe(true)
  })

  it('pause:<s>:<n>: 429 + Retry-After + X-Agl-Paused for the first n requests with that header, then normal', async () => {
    const fault = 'pause:0:2'
    for (let i = 0; i < 2; i++) {
      const res = await chat(fault, { stream: false, stream_options: undefined })
      expect(res.status).toBe(429)
      expect(res.headers.get('retry-after')).toBe('0')
      expect(res.headers.get('x-agl-paused')).toBe('true')
      expect(await res.json()).toEqual({ error: 'gateway paused', reason: 'weight sync' })
    }
    expect((await chat(fault, { stream: false, stream_options: undefined })).status).toBe(200)
    // Counted per header value and per path.
    const other = await completion(fault)
    expect(other.status).toBe(429)
    expect(other.headers.get('retry-after')).toBe('0')
    const once = await chat('pause:3', { stream: false, stream_options: undefined })
    expect(once.status).toBe(429)
    expect(once.headers.get('retry-after')).toBe('3')
    expect((await chat('pause:3', { stream: false, stream_options: undefined })).status).toBe(200)
  })

  it('pause as a server fault pauses the first requests of each path', async () => {
    const paused = await startMockVLLM({ faults: { type: 'pause', seconds: 1, times: 1 } })
    try {
      const ask = () => post(`${paused.baseUrl}/chat/completions`, { messages: [{ role: 'user', content: 'hi' }] })
      expect((await ask()).status).toBe(429)
      expect((await ask()).status).toBe(200)
      expect((await fetch(`${paused.url}/health`)).status).toBe(200)
    } finally {
      await paused.close()
    }
  })

  it('throttle: a plain 429 without Retry-After', async () => {
    const res = await chat('throttle')
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBeNull()
    expect(((await res.json()) as Json).error.code).toBe(429)
    expect((await completion('throttle')).status).toBe(429)
  })
})

describe('body faults on routes that do not generate', () => {
  it.each(['cut-stream:0', 'close-mid-body:0', 'malformed-chunk:0'])(
    '%s leaves /tokenize and /v1/models whole (a token-in client renders behind the same fault header)',
    async (fault) => {
      const tokenize = await post(
        `${mock.url}/tokenize`,
        { messages: [{ role: 'user', content: 'hi' }] },
        { 'x-mock-fault': fault }
      )
      expect(tokenize.status).toBe(200)
      const rendered = (await tokenize.json()) as Json
      expect(Array.isArray(rendered.tokens)).toBe(true)
      const models = await fetch(`${mock.baseUrl}/models`, { headers: { 'x-mock-fault': fault } })
      expect(((await models.json()) as Json).object).toBe('list')
    }
  )
})
