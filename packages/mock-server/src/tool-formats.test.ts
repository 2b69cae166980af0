import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData } from './__fixtures__/http.js'
import { scriptedPolicy } from './policies/scripted.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' } },
        required: ['city'],
      },
    },
  },
]

let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({
    toolParser: 'qwen3_coder',
    policy: scriptedPolicy([
      {
        match: 'json please',
        reply: { toolFormat: 'hermes', toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] },
      },
      {
        match: 'weather',
        reply: { reasoning: 'Check it.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris', days: 2 } }] },
      },
    ]),
  })
})
afterAll(() => mock.close())

const ask = (content: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  post(`${mock.baseUrl}/chat/completions`, {
    messages: [{ role: 'user', content }],
    tools: TOOLS,
    return_token_ids: true,
    ...extra,
  })

describe('toolParser qwen3_coder', () => {
  it('the policy writes Qwen3-Coder XML; chat parses it back with schema types', async () => {
    const body = (await (await ask('weather in Paris?')).json()) as Json
    const choice = body.choices[0]
    expect(mock.tokenizer.decode(choice.token_ids)).toContain(
      '<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n2\n</parameter>\n</function>\n</tool_call><|im_end|>'
    )
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.reasoning).toBe('\nCheck it.\n')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls[0].function).toEqual({
      name: 'get_weather',
      arguments: '{"city": "Paris", "days": 2}',
    })
  })

  it('streams like vLLM: call_ id, empty arguments on the header, fragments that add up', async () => {
    const chunks = parseChunks(await sseData(await ask('weather in Paris?', { stream: true })))
    type Delta = { index: number; id?: string; function: { name?: string; arguments?: string } }
    const deltas = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as Delta[] | undefined) ?? [])
    expect(deltas[0]?.id).toMatch(/^call_[0-9a-f]{24}$/)
    expect(deltas[0]?.function).toEqual({ name: 'get_weather', arguments: '' })
    expect(deltas.map((d) => d.function.arguments ?? '').join('')).toBe('{"city": "Paris", "days": 2}')
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('a hermes call under the qwen3_coder parser is not a tool call (the text stays content)', async () => {
    const body = (await (await ask('json please', { chat_template_kwargs: { enable_thinking: false } })).json()) as Json
    expect(body.choices[0].message.tool_calls).toBeUndefined()
    expect(body.choices[0].message.content).toContain('<tool_call>\n{"name": "get_weather"')
    expect(body.choices[0].finish_reason).toBe('stop')
  })
})
