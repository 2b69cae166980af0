import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData, TOOLS } from './__fixtures__/http.js'
import { calculatorPolicy } from './policies/calculator.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({ policy: calculatorPolicy(), seed: 7 })
})
afterAll(() => mock.close())

const ask = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'Qwen/Qwen3-8B',
  messages: [{ role: 'user', content: 'What is 6 * 7?' }],
  tools: TOOLS,
  return_token_ids: true,
  ...extra,
})

describe('chat field placement', () => {
  it('non-streaming: prompt ids on the response, ids/finish/stop_reason on the choice, reasoning parsed', async () => {
    const res = await post(`${mock.baseUrl}/chat/completions`, ask({ logprobs: true, top_logprobs: 3 }))
    const body = (await res.json()) as Json
    const choice = body.choices[0]
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['id', 'object', 'created', 'model', 'choices', 'usage', 'prompt_token_ids'])
    )
    expect(body.object).toBe('chat.completion')
    expect(choice.token_ids[0]).toBe(151667) // <think>
    expect(choice.token_ids).toContain(151657) // <tool_call>
    expect(choice.token_ids.at(-1)).toBe(151645)
    expect(choice.stop_reason).toBeNull()
    expect(choice.message.reasoning).toBe("\nThe user wants 6 * 7. I'll use the calculator tool.\n")
    expect(choice.message.tool_calls[0].id).toMatch(/^chatcmpl-tool-/)
    expect(choice.message.content).toBeNull() // whitespace-only content next to tool calls
    expect(choice.logprobs.content).toHaveLength(choice.token_ids.length)
    for (const entry of choice.logprobs.content) {
      expect(entry.logprob).toBeLessThanOrEqual(0)
      expect(entry.logprob).toBeGreaterThan(-10)
      expect(entry.top_logprobs).toHaveLength(3)
    }
    expect(body.usage.completion_tokens).toBe(choice.token_ids.length)
    expect(body.usage.prompt_tokens).toBe(body.prompt_token_ids.length)
  })

  it('streaming: same ids as non-streaming, empty deltas where the parser buffers, usage chunk last', async () => {
    const plain = (await (await post(`${mock.baseUrl}/chat/completions`, ask())).json()) as Json
    const data = await sseData(
      await post(`${mock.baseUrl}/chat/completions`, ask({ stream: true, stream_options: { include_usage: true } }))
    )
    expect(data.at(-1)).toBe('[DONE]')
    const chunks = parseChunks(data)
    const [role, ...rest] = chunks
    expect(role?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' })
    expect(role?.prompt_token_ids).toEqual(plain.prompt_token_ids)
    expect(role?.choices[0]).not.toHaveProperty('token_ids')
    const usage = rest.pop()
    expect(usage?.choices).toEqual([])
    const ids = rest.flatMap((c) => c.choices[0]?.token_ids ?? [])
    expect(ids).toEqual(plain.choices[0].token_ids)
    expect(usage?.usage?.completion_tokens).toBe(ids.length)
    expect(rest.some((c) => Object.keys(c.choices[0]?.delta ?? {}).length === 0)).toBe(true)
    const reasoning = rest.map((c) => (c.choices[0]?.delta.reasoning as string | undefined) ?? '').join('')
    expect(reasoning).toBe(plain.choices[0].message.reasoning)
    const last = rest.at(-1)?.choices[0]
    expect(last?.finish_reason).toBe('tool_calls')
    expect(last).toHaveProperty('stop_reason', null)
    expect(mock.requests.at(-1)?.tokenIds).toEqual(ids)
  })

  it('stream_interval batches several ids per chunk', async () => {
    const chunks = parseChunks(
      await sseData(await post(`${mock.baseUrl}/chat/completions`, ask({ stream: true, stream_interval: 4 })))
    )
    const sizes = chunks.slice(1).map((c) => c.choices[0]?.token_ids?.length ?? 0)
    expect(sizes.slice(0, -1).every((s) => s === 4)).toBe(true)
  })

  it('max_tokens cuts with finish_reason length and no EOS', async () => {
    const body = (await (await post(`${mock.baseUrl}/chat/completions`, ask({ max_tokens: 5 }))).json()) as Json
    expect(body.choices[0].finish_reason).toBe('length')
    expect(body.choices[0].token_ids).toHaveLength(5)
    expect(body.choices[0].token_ids).not.toContain(151645)
  })

  it('stop strings end generation like vLLM: ids kept up to the hit, text cut before it, stop_reason the string', async () => {
    const body = (await (
      await post(`${mock.baseUrl}/chat/completions`, ask({ tools: undefined, stop: ['6 * 7'] }))
    ).json()) as Json
    const choice = body.choices[0]
    expect(choice.finish_reason).toBe('stop')
    expect(choice.stop_reason).toBe('6 * 7')
    expect(choice.token_ids.at(-1)).not.toBe(151645)
    expect(body.usage.completion_tokens).toBe(choice.token_ids.length)
    const text = mock.tokenizer.decode(choice.token_ids)
    expect(text.endsWith('6 * 7')).toBe(true)
    expect(`${choice.message.reasoning ?? ''}${choice.message.content ?? ''}`).not.toContain('6 * 7')
    const kept = (await (
      await post(
        `${mock.baseUrl}/chat/completions`,
        ask({ tools: undefined, stop: '6 * 7', include_stop_str_in_output: true })
      )
    ).json()) as Json
    expect(kept.choices[0].token_ids).toEqual(choice.token_ids)
    expect(`${kept.choices[0].message.reasoning ?? ''}${kept.choices[0].message.content ?? ''}`).toContain('6 * 7')
  })

  it('n > 1 gives one token_ids list per choice and sums usage', async () => {
    const body = (await (await post(`${mock.baseUrl}/chat/completions`, ask({ n: 2 }))).json()) as Json
    expect(body.choices).toHaveLength(2)
    const total = body.choices.reduce((s: number, c: Json) => s + c.token_ids.length, 0)
    expect(body.usage.completion_tokens).toBe(total)
  })

  it('named tool_choice emits the arguments JSON itself and finishes with stop', async () => {
    const body = (await (
      await post(
        `${mock.baseUrl}/chat/completions`,
        ask({ tool_choice: { type: 'function', function: { name: 'calculator' } } })
      )
    ).json()) as Json
    expect(body.choices[0].finish_reason).toBe('stop')
    expect(body.choices[0].message.tool_calls[0].function).toEqual({
      name: 'calculator',
      arguments: '{"expression": "6 * 7"}',
    })
  })

  it('a tool result turn answers with content', async () => {
    const messages = [
      { role: 'user', content: 'What is 6 * 7?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"6 * 7"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: '42' },
    ]
    const body = (await (await post(`${mock.baseUrl}/chat/completions`, ask({ messages }))).json()) as Json
    expect(body.choices[0].finish_reason).toBe('stop')
    expect(body.choices[0].message.content).toBe('\n\n6 * 7 = 42')
    const expected = mock.tokenizer.encodeChat(
      [
        messages[0] as Json,
        {
          ...messages[1],
          content: '',
          tool_calls: [
            { ...messages[1]!.tool_calls![0], function: { name: 'calculator', arguments: { expression: '6 * 7' } } },
          ],
        } as Json,
        messages[2] as Json,
      ],
      {
        tools: TOOLS.map((t) => ({
          type: t.type,
          function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters },
        })),
      }
    )
    expect(body.prompt_token_ids).toEqual(expected)
  })

  it('enable_thinking false: no <think> in the output', async () => {
    const body = (await (
      await post(`${mock.baseUrl}/chat/completions`, ask({ chat_template_kwargs: { enable_thinking: false } }))
    ).json()) as Json
    expect(body.choices[0].token_ids).not.toContain(151667)
    expect(body.choices[0].message.reasoning).toBeNull()
  })
})

describe('errors like vLLM', () => {
  it.each([
    [{ model: 'other' }, 404, 'The model `other` does not exist.'],
    [{ stream_options: { include_usage: true } }, 400, 'Stream options can only be defined when `stream=True`.'],
    [{ tools: undefined, tool_choice: 'auto' }, 400, 'When using `tool_choice`, `tools` must be set.'],
    [
      { max_tokens: 40000 },
      400,
      "This model's maximum context length is 32768 tokens. However, you requested 40000 output tokens",
    ],
  ])('%j → %i', async (extra, status, message) => {
    const res = await post(`${mock.baseUrl}/chat/completions`, ask(extra))
    expect(res.status).toBe(status)
    const body = (await res.json()) as { error: { message: string; code: number; type: string } }
    expect(body.error.message).toContain(message)
    expect(body.error.code).toBe(status)
  })

  it('auto tool choice without a tool parser', async () => {
    const bare = await startMockVLLM({ toolParser: null })
    try {
      const res = await post(`${bare.baseUrl}/chat/completions`, ask())
      expect(res.status).toBe(400)
      expect(((await res.json()) as Json).error.message).toBe(
        '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'
      )
    } finally {
      await bare.close()
    }
  })

  it('prompt longer than the context', async () => {
    const small = await startMockVLLM({ maxModelLen: 10 })
    try {
      const res = await post(`${small.baseUrl}/chat/completions`, ask())
      const body = (await res.json()) as Json
      expect(res.status).toBe(400)
      expect(body.error.message).toMatch(
        /^This model's maximum context length is 10 tokens\. However, you requested 0 output tokens and your prompt contains at least 11 input tokens/
      )
    } finally {
      await small.close()
    }
  })
})

describe('other endpoints', () => {
  it('GET /health, /v1/models, /version', async () => {
    const health = await fetch(`${mock.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.text()).toBe('')
    const models = (await (await fetch(`${mock.baseUrl}/models`)).json()) as Json
    expect(models.data[0]).toMatchObject({
      id: 'Qwen/Qwen3-8B',
      object: 'model',
      owned_by: 'vllm',
      max_model_len: 32768,
    })
    expect(await (await fetch(`${mock.url}/version`)).json()).toEqual({ version: '0.11.0' })
  })

  it('/tokenize (prompt and messages) and /detokenize', async () => {
    const t = (await (
      await post(`${mock.url}/tokenize`, { prompt: 'Hello world', return_token_strs: true })
    ).json()) as Json
    expect(t).toEqual({ count: 2, max_model_len: 32768, tokens: [9707, 1879], token_strs: ['Hello', 'Ġworld'] })
    const m = (await (
      await post(`${mock.url}/tokenize`, { messages: [{ role: 'user', content: 'hi' }], tools: TOOLS })
    ).json()) as Json
    const chat = (await (
      await post(`${mock.baseUrl}/chat/completions`, { ...ask(), messages: [{ role: 'user', content: 'hi' }] })
    ).json()) as Json
    expect(m.tokens).toEqual(chat.prompt_token_ids)
    const d = (await (await post(`${mock.url}/detokenize`, { tokens: [151644, 872, 198] })).json()) as Json
    expect(d).toEqual({ prompt: '<|im_start|>user\n' })
  })

  it('/v1/completions with a token-id prompt: both id fields in the choice, integer logprobs', async () => {
    const prompt = mock.tokenizer.encodeChat([{ role: 'user', content: 'What is 6 * 7?' }], { tools: TOOLS as never })
    const body = (await (
      await post(`${mock.baseUrl}/completions`, { prompt, max_tokens: 200, logprobs: 2, return_token_ids: true })
    ).json()) as Json
    const choice = body.choices[0]
    expect(body.object).toBe('text_completion')
    expect(choice.prompt_token_ids).toEqual(prompt)
    expect(choice.token_ids.at(-1)).toBe(151645)
    expect(choice.text).toContain('<tool_call>')
    expect(choice.logprobs.token_logprobs).toHaveLength(choice.token_ids.length)
    expect(Object.keys(choice.logprobs.top_logprobs[0]).length).toBeGreaterThanOrEqual(2)
    expect(body.usage.completion_tokens).toBe(choice.token_ids.length)
  })

  it('/v1/completions streaming puts prompt ids on the first choice only; default max_tokens is 16', async () => {
    const chunks = parseChunks(
      await sseData(
        await post(`${mock.baseUrl}/completions`, { prompt: 'Hello', stream: true, return_token_ids: true })
      )
    )
    expect(chunks[0]?.choices[0]?.prompt_token_ids).toEqual([9707])
    expect(chunks[1]?.choices[0]?.prompt_token_ids).toBeNull()
    expect(chunks.flatMap((c) => c.choices[0]?.token_ids ?? [])).toHaveLength(16)
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length')
  })
})
