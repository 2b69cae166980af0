import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, parseChunks, post, sseData, TOOLS } from './__fixtures__/http.js'
import { calculatorPolicy } from './policies/calculator.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

/** What token-in clients (issue 12) need from `/v1/completions` and `/tokenize`. */
let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM({ policy: calculatorPolicy(), seed: 3 })
})
afterAll(() => mock.close())

const IM_END = 151645
const question = [{ role: 'user', content: 'What is 6 * 7?' }]
const templateTools = TOOLS.map((t) => ({
  type: t.type,
  function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters },
}))
const prompt = (kwargs: Record<string, unknown> = {}): number[] =>
  mock.tokenizer.encodeChat(question, { tools: templateTools, chatTemplateKwargs: kwargs })
const complete = async (extra: Record<string, unknown>): Promise<Json> =>
  (await post(`${mock.baseUrl}/completions`, { prompt: prompt(), max_tokens: 200, ...extra })).json()

describe('/v1/completions with an id prompt', () => {
  it('non-streaming: both id fields per choice; text skips special tokens but keeps Qwen3 think/tool tags', async () => {
    const body = await complete({ return_token_ids: true })
    const choice = body.choices[0]
    expect(choice.prompt_token_ids).toEqual(prompt())
    expect(choice.token_ids.at(-1)).toBe(IM_END)
    expect(choice.text).toContain('<think>')
    expect(choice.text).toContain('<tool_call>')
    expect(choice.text).not.toContain('<|im_end|>')
    expect(choice.text).toBe(mock.tokenizer.decode(choice.token_ids.slice(0, -1)))
    expect(body.usage).toMatchObject({ prompt_tokens: prompt().length, completion_tokens: choice.token_ids.length })
    // The id that stopped generation is never rendered, even with skip_special_tokens false.
    const raw = await complete({ return_token_ids: true, skip_special_tokens: false })
    expect(raw.choices[0].text).toBe(choice.text)
  })

  it('streaming, n = 2: prompt_token_ids on the first chunk of each choice, token_ids on every chunk', async () => {
    const chunks = parseChunks(
      await sseData(
        await post(`${mock.baseUrl}/completions`, {
          prompt: prompt(),
          max_tokens: 200,
          n: 2,
          stream: true,
          return_token_ids: true,
          stream_options: { include_usage: true },
        })
      )
    )
    const plain = await complete({ return_token_ids: true, n: 2 })
    for (const index of [0, 1]) {
      const mine = chunks.filter((c) => c.choices[0]?.index === index)
      expect(mine[0]?.choices[0]?.prompt_token_ids).toEqual(prompt())
      expect(mine.slice(1).every((c) => c.choices[0]?.prompt_token_ids === null)).toBe(true)
      const ids = mine.flatMap((c) => c.choices[0]?.token_ids ?? [])
      expect(ids).toEqual(plain.choices[index].token_ids)
      expect(mine.map((c) => (c.choices[0] as Json).text).join('')).toBe(plain.choices[index].text)
    }
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(
      plain.choices[0].token_ids.length + plain.choices[1].token_ids.length
    )
  })

  it('logprobs integer: tokens, token_logprobs, top_logprobs, text_offset aligned with the ids', async () => {
    const body = await complete({ return_token_ids: true, logprobs: 2 })
    const { token_ids: ids, logprobs } = body.choices[0]
    expect(logprobs.tokens).toEqual(ids.map((id: number) => mock.tokenizer.decode([id])))
    expect(logprobs.token_logprobs).toHaveLength(ids.length)
    expect(logprobs.top_logprobs.every((t: Json) => Object.keys(t).length >= 2)).toBe(true)
    let at = 0
    for (const [i, offset] of (logprobs.text_offset as number[]).entries()) {
      expect(offset).toBe(at)
      at += [...logprobs.tokens[i]].length
    }
    const streamed = parseChunks(
      await sseData(
        await post(`${mock.baseUrl}/completions`, { prompt: prompt(), max_tokens: 200, logprobs: 2, stream: true })
      )
    )
    const offsets = streamed.flatMap((c) => (c.choices[0] as Json).logprobs.text_offset)
    expect(offsets[0]).toBe(0)
    expect(streamed.flatMap((c) => (c.choices[0] as Json).logprobs.token_logprobs)).toEqual(logprobs.token_logprobs)
  })

  it('stop_token_ids and stop strings', async () => {
    const full = (await complete({ return_token_ids: true })).choices[0].token_ids as number[]
    const stopId = full[3] as number
    const byId = (await complete({ return_token_ids: true, stop_token_ids: [stopId] })).choices[0]
    expect(byId).toMatchObject({ finish_reason: 'stop', stop_reason: stopId })
    expect(byId.token_ids).toEqual(full.slice(0, full.indexOf(stopId) + 1))
    const byString = (await complete({ return_token_ids: true, stop: ['calculator'] })).choices[0]
    expect(byString.stop_reason).toBe('calculator')
    expect(byString.text).not.toContain('calculator')
  })

  it('thinking off is read from the generation prompt', async () => {
    const off = mock.tokenizer.encodeChat(question, {
      tools: templateTools,
      chatTemplateKwargs: { enable_thinking: false },
    })
    const body = (await (
      await post(`${mock.baseUrl}/completions`, { prompt: off, max_tokens: 200, return_token_ids: true })
    ).json()) as Json
    expect(body.choices[0].text).not.toContain('<think>')
    expect(body.choices[0].text).toContain('<tool_call>')
  })
})

describe('/tokenize with messages', () => {
  const conversation = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is 6 * 7?' },
    {
      role: 'assistant',
      content: '',
      reasoning: 'Use the tool.',
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"6 * 7"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', content: '42' },
    { role: 'assistant', content: '42.' },
    { role: 'user', content: 'And 6 * 8?' },
  ]

  it('equals the prompt ids of a chat request with the same messages, tools and kwargs', async () => {
    for (const kwargs of [{}, { enable_thinking: false }]) {
      const tokens = (await (
        await post(`${mock.url}/tokenize`, { messages: conversation, tools: TOOLS, chat_template_kwargs: kwargs })
      ).json()) as Json
      const chat = (await (
        await post(`${mock.baseUrl}/chat/completions`, {
          messages: conversation,
          tools: TOOLS,
          chat_template_kwargs: kwargs,
          return_token_ids: true,
        })
      ).json()) as Json
      expect(tokens.tokens).toEqual(chat.prompt_token_ids)
      expect(tokens.count).toBe(tokens.tokens.length)
    }
  })

  it('add_generation_prompt false / continue_final_message, both true is a 400; return_token_strs', async () => {
    const open = [...conversation.slice(0, 2), { role: 'assistant', content: 'The answer is' }]
    const continued = (await (
      await post(`${mock.url}/tokenize`, {
        messages: open,
        add_generation_prompt: false,
        continue_final_message: true,
        return_token_strs: true,
      })
    ).json()) as Json
    expect(mock.tokenizer.decode(continued.tokens).endsWith('The answer is')).toBe(true)
    expect(continued.token_strs).toEqual(continued.tokens.map((id: number) => mock.tokenizer.idToToken(id)))
    const closed = (await (
      await post(`${mock.url}/tokenize`, { messages: open, add_generation_prompt: false })
    ).json()) as Json
    expect(mock.tokenizer.decode(closed.tokens).endsWith('<|im_end|>\n')).toBe(true)
    const both = await post(`${mock.url}/tokenize`, {
      messages: open,
      add_generation_prompt: true,
      continue_final_message: true,
    })
    expect(both.status).toBe(400)
    expect(((await both.json()) as Json).error.message).toContain(
      'Value error, Cannot set both `continue_final_message` and `add_generation_prompt` to True.'
    )
  })
})
