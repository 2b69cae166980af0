import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calculatorPolicy } from './policies/calculator.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'calculator',
      description: 'Evaluate an arithmetic expression',
      parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    },
  },
]

/** vLLM extra body fields ride at the top level; the openai types do not know them. */
const vllmExtra = { return_token_ids: true } as Record<string, unknown>

let mock: MockVLLM
let client: OpenAI

beforeAll(async () => {
  mock = await startMockVLLM({ policy: calculatorPolicy() })
  client = new OpenAI({ baseURL: mock.baseUrl, apiKey: 'EMPTY' })
})
afterAll(() => mock.close())

describe('non-streaming chat', () => {
  it('returns prompt_token_ids on the response and token_ids on the choice, matching usage', async () => {
    const messages = [{ role: 'user' as const, content: 'What is 12 * 7?' }]
    const res = await client.chat.completions.create({
      model: 'Qwen/Qwen3-8B',
      messages,
      tools,
      ...vllmExtra,
    })
    const raw = res as unknown as { prompt_token_ids: number[]; choices: Array<{ token_ids: number[] }> }
    const expected = mock.tokenizer.encodeChat(messages, { tools: tools as never })
    expect(raw.prompt_token_ids).toEqual(expected)
    const choice = res.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    expect(choice?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'calculator', arguments: '{"expression": "12 * 7"}' },
    })
    const ids = raw.choices[0]?.token_ids ?? []
    expect(ids.at(-1)).toBe(151645)
    expect(res.usage?.prompt_tokens).toBe(raw.prompt_token_ids.length)
    expect(res.usage?.completion_tokens).toBe(ids.length)
    const rec = mock.requests.at(-1)
    expect(rec?.tokenIds).toEqual(ids)
    expect(rec?.promptTokenIds).toEqual(expected)
  })
})

describe('streaming chat', () => {
  it('puts prompt_token_ids on the role chunk and token_ids on every later choice', async () => {
    const stream = await client.chat.completions.create({
      model: 'Qwen/Qwen3-8B',
      messages: [{ role: 'user', content: 'What is 12 * 7?' }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
      ...vllmExtra,
    })
    const ids: number[] = []
    let prompt: number[] | undefined
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined
    let args = ''
    let finish: string | null | undefined
    for await (const chunk of stream) {
      const raw = chunk as unknown as { prompt_token_ids?: number[]; choices: Array<{ token_ids?: number[] | null }> }
      if (raw.prompt_token_ids) prompt = raw.prompt_token_ids
      for (const c of raw.choices) ids.push(...(c.token_ids ?? []))
      for (const c of chunk.choices) {
        for (const t of c.delta.tool_calls ?? []) args += t.function?.arguments ?? ''
        finish ??= c.finish_reason
      }
      if (chunk.usage) usage = chunk.usage
    }
    expect(prompt?.length).toBe(usage?.prompt_tokens)
    expect(ids.length).toBe(usage?.completion_tokens)
    expect(args).toBe('{"expression": "12 * 7"}')
    expect(finish).toBe('tool_calls')
    expect(mock.requests.at(-1)?.tokenIds).toEqual(ids)
  })
})
