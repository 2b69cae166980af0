import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseChunks, post, sseData } from './__fixtures__/http.js'
import { startMockVLLM } from './server.js'
import type { MockVLLM } from './types.js'

let mock: MockVLLM
beforeAll(async () => {
  mock = await startMockVLLM()
})
afterAll(() => mock.close())

it('serves 256 concurrent streams without mixing them', async () => {
  const results = await Promise.all(
    Array.from({ length: 256 }, async (_, i) => {
      const res = await post(`${mock.baseUrl}/chat/completions`, {
        messages: [{ role: 'user', content: `request number ${i}` }],
        return_token_ids: true,
        stream: true,
        stream_options: { include_usage: true },
        chat_template_kwargs: { enable_thinking: false },
      })
      const chunks = parseChunks(await sseData(res))
      const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
      const ids = chunks.flatMap((c) => c.choices[0]?.token_ids ?? [])
      return { i, content, ids, usage: chunks.at(-1)?.usage }
    })
  )
  for (const r of results) {
    expect(r.content).toContain(`request number ${r.i}"`)
    expect(r.ids.length).toBe(r.usage?.completion_tokens)
  }
  expect(mock.requests).toHaveLength(256)
})
