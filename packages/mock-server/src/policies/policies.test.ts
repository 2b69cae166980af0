import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData, TOOLS } from '../__fixtures__/http.js'
import { startMockVLLM } from '../server.js'
import type { MockVLLM, PolicyOutput } from '../types.js'
import { evaluateArithmetic, findArithmetic } from './arithmetic.js'
import { scriptedPolicy } from './scripted.js'

let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({
    policy: scriptedPolicy([
      { match: 'HAVING', reply: { content: 'HAVING is SQL', nonCanonical: { HAVING: ['H', 'AVING'] } } },
      { match: 'compact', reply: { toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] } },
      { match: 'broken', reply: { toolCalls: [{ name: 'calculator', arguments: '{"expression": "1+1"' }] } },
      { match: /echo (\w+)/, reply: (_ctx, m): PolicyOutput => ({ content: `echo: ${m?.[1]}` }) },
    ]),
  })
})
afterAll(() => mock.close())

const chat = async (content: string, extra: Record<string, unknown> = {}): Promise<Json> =>
  (
    await post(`${mock.baseUrl}/chat/completions`, {
      messages: [{ role: 'user', content }],
      tools: TOOLS,
      return_token_ids: true,
      chat_template_kwargs: { enable_thinking: false },
      ...extra,
    })
  ).json()

describe('policies', () => {
  it('non-canonical pieces reach token_ids; the text is unchanged', async () => {
    const body = await chat('HAVING please')
    const ids: number[] = body.choices[0].token_ids
    expect(ids.slice(0, 2)).toEqual([39, 83722])
    expect(body.choices[0].message.content).toBe('HAVING is SQL')
    expect(mock.tokenizer.encode('HAVING is SQL').slice(0, 2)).toEqual([72239, 1718])
  })

  it('compact tool JSON is parsed and re-dumped in Python form', async () => {
    const body = await chat('compact please')
    expect(body.choices[0].message.tool_calls[0].function.arguments).toBe('{"expression": "1+1"}')
    expect(mock.tokenizer.decode(body.choices[0].token_ids)).toContain('{"expression":"1+1"}')
  })

  it('malformed tool JSON stays in content, ids unchanged, finish stop', async () => {
    const body = await chat('broken please')
    expect(body.choices[0].message.tool_calls).toBeUndefined()
    expect(body.choices[0].message.content).toContain('<tool_call>')
    expect(body.choices[0].finish_reason).toBe('stop')
  })

  it('regex rules see the match; the fallback policy answers the rest', async () => {
    expect((await chat('echo banana')).choices[0].message.content).toBe('echo: banana')
    expect((await chat('hello there')).choices[0].message.content).toMatch(/You said: "hello there"/)
  })

  it('is deterministic for the same request and seed', async () => {
    const a = await chat('hello there', { logprobs: true })
    const b = await chat('hello there', { logprobs: true })
    expect(a.choices[0].token_ids).toEqual(b.choices[0].token_ids)
    expect(a.choices[0].logprobs).toEqual(b.choices[0].logprobs)
  })

  it('streamed text of a UTF-8 reply equals the decoded ids', async () => {
    const data = await sseData(
      await post(`${mock.baseUrl}/chat/completions`, {
        messages: [{ role: 'user', content: 'héllo 日本語 🎉' }],
        return_token_ids: true,
        stream: true,
      })
    )
    const chunks = parseChunks(data).slice(1)
    const text =
      chunks.map((c) => `${c.choices[0]?.delta.reasoning ?? ''}`).join('') +
      chunks.map((c) => `${c.choices[0]?.delta.content ?? ''}`).join('')
    expect(text).not.toContain('\uFFFD')
    const ids = chunks.flatMap((c) => c.choices[0]?.token_ids ?? [])
    expect(mock.tokenizer.decode(ids, { skipSpecialTokens: true })).toContain('🎉')
    expect(text.replace(/\s/g, '')).toBe(
      mock.tokenizer
        .decode(ids, { skipSpecialTokens: true })
        .replace(/<\/?think>/g, '')
        .replace(/\s/g, '')
    )
  })
})

describe('arithmetic', () => {
  it('finds and evaluates expressions without eval', () => {
    expect(findArithmetic('What is (12 + 3) * 4?')).toBe('(12 + 3) * 4')
    expect(evaluateArithmetic('(12 + 3) * 4')).toBe(60)
    expect(evaluateArithmetic('2 ^ 3 ^ 2')).toBe(512)
    expect(evaluateArithmetic('process.exit()')).toBeUndefined()
    expect(findArithmetic('no numbers here')).toBeUndefined()
  })
})
