import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData, TOOLS } from './__fixtures__/http.js'
import { scriptedPolicy } from './policies/scripted.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

/** Behaviour of current vLLM (vllm-protocol.md §0) that older mock versions got wrong. */
let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({
    policy: scriptedPolicy([
      { match: 'broken', reply: { toolCalls: [{ name: 'calculator', arguments: '{"expression": 6 *}' }] } },
      {
        match: 'compact',
        reply: { reasoning: 'Compact it is.', toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] },
      },
      { match: 'plain', reply: { content: 'Just text.' } },
    ]),
  })
})
afterAll(() => mock.close())

const body = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [{ role: 'user', content }],
  tools: TOOLS,
  return_token_ids: true,
  chat_template_kwargs: { enable_thinking: false },
  ...extra,
})
const chat = (content: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  post(`${mock.baseUrl}/chat/completions`, body(content, extra))
const stream = async (content: string, extra: Record<string, unknown> = {}) =>
  parseChunks(await sseData(await chat(content, { stream: true, ...extra })))
type ToolDelta = { index: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }
const toolDeltas = (chunks: Awaited<ReturnType<typeof stream>>): ToolDelta[] =>
  chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as ToolDelta[] | undefined) ?? [])

describe('streamed hermes tool calls', () => {
  it('malformed argument JSON under auto tool choice still streams as a tool call and finishes tool_calls', async () => {
    const chunks = await stream('broken please')
    const deltas = toolDeltas(chunks)
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'calculator' } })
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe('{"expression": 6 *}')
    expect(
      chunks.some((c) => typeof c.choices[0]?.delta.content === 'string' && c.choices[0].delta.content !== '')
    ).toBe(false)
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('the header carries no arguments key; argument deltas are the raw substring verbatim', async () => {
    const deltas = toolDeltas(await stream('compact please'))
    const header = deltas.find((d) => d.function?.name !== undefined)
    expect(header?.id).toMatch(/^chatcmpl-tool-/)
    expect(header?.function).not.toHaveProperty('arguments')
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe('{"expression":"1+1"}')
    const json = (await (await chat('compact please')).json()) as Json
    expect(json.choices[0].message.tool_calls[0].function.arguments).toBe('{"expression": "1+1"}')
  })

  it('non-streaming: whitespace-only content next to tool calls is null', async () => {
    const json = (await (
      await chat('compact please', { chat_template_kwargs: { enable_thinking: true } })
    ).json()) as Json
    expect(json.choices[0].message.tool_calls).toHaveLength(1)
    expect(json.choices[0].message.content).toBeNull()
  })
})

describe('stream_options.include_usage defaults to false', () => {
  it('no usage chunk unless include_usage is true', async () => {
    const none = await stream('plain')
    expect(none.some((c) => c.usage !== undefined)).toBe(false)
    const empty = await stream('plain', { stream_options: {} })
    expect(empty.some((c) => c.usage !== undefined)).toBe(false)
    const continuousOnly = await stream('plain', { stream_options: { continuous_usage_stats: true } })
    expect(continuousOnly.some((c) => c.usage !== undefined)).toBe(false)
    const asked = await stream('plain', { stream_options: { include_usage: true } })
    expect(asked.at(-1)?.choices).toEqual([])
    expect(asked.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('completions too', async () => {
    const prompt = mock.tokenizer.encode('Hello')
    const data = await sseData(
      await post(`${mock.baseUrl}/completions`, {
        prompt,
        stream: true,
        stream_options: { continuous_usage_stats: true },
      })
    )
    expect(parseChunks(data).some((c) => c.usage !== undefined)).toBe(false)
  })

  it('stream_options: {} with stream false is accepted (vLLM checks truthiness)', async () => {
    expect((await chat('plain', { stream_options: {} })).status).toBe(200)
  })
})

const errorOf = async (res: Response): Promise<{ message: string; type: string; param: string | null; code: number }> =>
  ((await res.json()) as { error: { message: string; type: string; param: string | null; code: number } }).error

describe('request validation like vLLM', () => {
  it('tools: [] is a pydantic-style 400', async () => {
    const res = await chat('plain', { tools: [] })
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.type).toBe('Bad Request')
    expect(error.param).toBe('tools')
    expect(error.code).toBe(400)
    expect(error.message).toMatch(/^1 validation error:\n {2}\{'type': 'value_error', 'loc': \('body',\), 'msg': /)
    expect(error.message).toContain(
      "'msg': 'Value error, `tools` must not be an empty array. Either provide at least one tool or omit the field entirely. (parameter=tools)'"
    )
  })

  it('a named tool missing from tools is a 400 with vLLM text', async () => {
    const res = await chat('plain', { tool_choice: { type: 'function', function: { name: 'nope' } } })
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.param).toBe('tool_choice')
    expect(error.message).toContain(
      'Value error, The tool specified in `tool_choice` does not match any of the specified `tools` (parameter=tool_choice)'
    )
  })

  it('stream options without stream, messages missing: pydantic-style texts', async () => {
    const streamOptions = await errorOf(await chat('plain', { stream_options: { include_usage: true } }))
    expect(streamOptions.type).toBe('Bad Request')
    expect(streamOptions.message).toContain(
      'Value error, Stream options can only be defined when `stream=True`. (parameter=stream_options)'
    )
    const missing = await errorOf(await post(`${mock.baseUrl}/chat/completions`, { model: 'Qwen/Qwen3-8B' }))
    expect(missing.message).toMatch(
      /^1 validation error:\n {2}\{'type': 'missing', 'loc': \('body', 'messages'\), 'msg': 'Field required', 'input': \{'model': 'Qwen\/Qwen3-8B'\}\}/
    )
  })

  it('serving-level errors keep BadRequestError with the (parameter=…, value=…) suffix', async () => {
    const error = await errorOf(await chat('plain', { max_tokens: 0 }))
    expect(error.type).toBe('BadRequestError')
    expect(error.message).toBe('max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)')
  })
})

describe('context-length texts (current vLLM)', () => {
  it('chat: the rendered prompt is tokenized up to the limit, so the text says "at least"', async () => {
    const small = await startMockVLLM({ maxModelLen: 10 })
    try {
      const plain = await errorOf(await post(`${small.baseUrl}/chat/completions`, body('hello there')))
      expect(plain.message).toBe(
        "This model's maximum context length is 10 tokens. However, you requested 0 output tokens and your prompt contains at least 11 input tokens, for a total of at least 11 tokens. Please reduce the length of the input prompt or the number of requested output tokens. (parameter=input_tokens, value=11)"
      )
      expect(plain.param).toBe('input_tokens')
      const withMax = await errorOf(await post(`${small.baseUrl}/chat/completions`, body('hello', { max_tokens: 4 })))
      expect(withMax.message).toMatch(
        /^This model's maximum context length is 10 tokens\. However, you requested 4 output tokens and your prompt contains at least 7 input tokens, for a total of at least 11 tokens\./
      )
    } finally {
      await small.close()
    }
  })

  it('completions with an id prompt: the exact count, no "at least"', async () => {
    const small = await startMockVLLM({ maxModelLen: 10 })
    try {
      const error = await errorOf(
        await post(`${small.baseUrl}/completions`, { prompt: Array.from({ length: 8 }, () => 9707), max_tokens: 4 })
      )
      expect(error.message).toBe(
        "This model's maximum context length is 10 tokens. However, you requested 4 output tokens and your prompt contains 8 input tokens, for a total of 12 tokens. Please reduce the length of the input prompt or the number of requested output tokens. (parameter=input_tokens, value=8)"
      )
    } finally {
      await small.close()
    }
  })

  it.each([
    [
      5,
      /^This model's maximum context length is 32768 tokens\. However, you requested \d+ output tokens and your prompt contains \d+ input tokens, for a total of \d+ tokens\./,
    ],
    [
      6,
      /^This model's maximum context length is 32768 tokens\. However, you requested \d+ output tokens and your prompt contains \d+ characters \(more than \d+ characters, which is the upper bound for \d+ input tokens\)\./,
    ],
    [7, /^The decoder prompt \(length \d+\) is longer than the maximum model length of 32768\./],
    [8, /^Input length \(\d+\) exceeds model's maximum context length \(32768\)\.$/],
  ])('context-variant:%i', async (variant, pattern) => {
    const res = await post(`${mock.baseUrl}/chat/completions`, body('plain'), {
      'x-mock-fault': `context-variant:${variant}`,
    })
    expect(res.status).toBe(400)
    expect((await errorOf(res)).message).toMatch(pattern)
  })
})

describe('/v1/completions logprobs and prompt_logprobs', () => {
  const prompt = (): number[] => mock.tokenizer.encodeChat([{ role: 'user', content: 'plain' }])

  it('logprobs: true is coerced to 1 (Agent Lightning sends it)', async () => {
    const res = await post(`${mock.baseUrl}/completions`, {
      prompt: prompt(),
      logprobs: true,
      max_tokens: 3,
      return_token_ids: true,
    })
    expect(res.status).toBe(200)
    const choice = ((await res.json()) as Json).choices[0]
    expect(choice.logprobs.token_logprobs).toHaveLength(3)
    expect(choice.logprobs.tokens).toEqual(choice.token_ids.map((id: number) => mock.tokenizer.decode([id])))
    for (const top of choice.logprobs.top_logprobs) expect(Object.keys(top).length).toBeLessThanOrEqual(2)
  })

  it('prompt_logprobs: first entry null, then {id: {logprob, rank, decoded_token}} per prompt id', async () => {
    const ids = prompt()
    const res = await post(`${mock.baseUrl}/completions`, { prompt: ids, max_tokens: 1, prompt_logprobs: 0 })
    const choice = ((await res.json()) as Json).choices[0]
    expect(choice.prompt_logprobs).toHaveLength(ids.length)
    expect(choice.prompt_logprobs[0]).toBeNull()
    for (const [i, entry] of (choice.prompt_logprobs as Json[]).entries()) {
      if (i === 0) continue
      expect(Object.keys(entry)).toEqual([String(ids[i])])
      const lp = entry[String(ids[i])]
      expect(Object.keys(lp)).toEqual(['logprob', 'rank', 'decoded_token'])
      expect(lp.decoded_token).toBe(mock.tokenizer.decode([ids[i] as number]))
      expect(lp.rank).toBeGreaterThanOrEqual(1)
    }
    const top = (
      (await (
        await post(`${mock.baseUrl}/completions`, { prompt: ids, max_tokens: 1, prompt_logprobs: 2 })
      ).json()) as Json
    ).choices[0].prompt_logprobs
    for (const entry of top.slice(1)) expect(Object.keys(entry).length).toBeGreaterThanOrEqual(2)
  })

  it('prompt_logprobs 0 is allowed with stream: true, larger values and bad values are not', async () => {
    const ok = await post(`${mock.baseUrl}/completions`, { prompt: prompt(), stream: true, prompt_logprobs: 0 })
    expect(ok.status).toBe(200)
    await ok.text()
    const streamed = await errorOf(
      await post(`${mock.baseUrl}/completions`, { prompt: prompt(), stream: true, prompt_logprobs: 1 })
    )
    expect(streamed.message).toContain('Value error, `prompt_logprobs` are not available when `stream=True`.')
    const negative = await errorOf(await post(`${mock.baseUrl}/completions`, { prompt: prompt(), prompt_logprobs: -2 }))
    expect(negative.message).toContain(
      '`prompt_logprobs` must be a positive value or -1. (parameter=prompt_logprobs, value=-2)'
    )
  })
})

describe('non-streaming responses keep vLLM null fields', () => {
  it('chat', async () => {
    const json = (await (await chat('plain')).json()) as Json
    expect(json).toMatchObject({
      service_tier: null,
      system_fingerprint: null,
      prompt_logprobs: null,
      prompt_text: null,
      kv_transfer_params: null,
      ec_transfer_params: null,
      metrics: null,
    })
    expect(json.choices[0]).toMatchObject({ routed_experts: null, stop_reason: null })
    expect(json.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Just text.',
      refusal: null,
      annotations: null,
      audio: null,
      function_call: null,
      reasoning: null,
    })
  })

  it('completions', async () => {
    const json = (await (await post(`${mock.baseUrl}/completions`, { prompt: 'Hello', max_tokens: 2 })).json()) as Json
    expect(json).toMatchObject({
      service_tier: null,
      system_fingerprint: null,
      kv_transfer_params: null,
      ec_transfer_params: null,
      metrics: null,
    })
    expect(Object.keys(json.choices[0])).toEqual([
      'index',
      'text',
      'logprobs',
      'finish_reason',
      'stop_reason',
      'token_ids',
      'prompt_logprobs',
      'prompt_token_ids',
      'routed_experts',
    ])
  })
})
