import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, post } from './__fixtures__/http.js'
import { SQL_EPISODE, sqlEpisodePolicy } from './policies/sql-episode.js'
import { startMockVLLM } from './server.js'
import type { ChatMessage, MockVLLM, Policy, ToolParserName } from './types.js'

/**
 * The same scripted rollout in chat mode and in token-in mode (the client owns the ids: previous prompt +
 * sampled ids + the bridge of what was appended) must sample the same ids: the policy sees the same
 * conversation and the sampler is seeded by it, never by the endpoint.
 */
const IM_END = 151645
const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup',
      description: 'Look a SQL keyword up',
      parameters: {
        type: 'object',
        properties: { term: { type: 'string' }, limit: { type: 'integer' } },
        required: ['term'],
      },
    },
  },
]
const policy = (): Policy => sqlEpisodePolicy()

const USER_1 = { role: 'user', content: SQL_EPISODE.user1 }
const TOOL_RESULT = SQL_EPISODE.toolResult
const USER_2 = { role: 'user', content: SQL_EPISODE.user2 }

interface Turn {
  sampled: number[]
  prompt: number[]
  text: string
}

/** Chat mode: the client sends messages; the server renders them (and rewrites history). */
async function chatRollout(mock: MockVLLM): Promise<{ turns: Turn[]; toolArgs: string }> {
  const messages: ChatMessage[] = [USER_1]
  const turns: Turn[] = []
  const call = async (): Promise<Json> => {
    const body = (await (
      await post(`${mock.baseUrl}/chat/completions`, { messages, tools: TOOLS, return_token_ids: true })
    ).json()) as Json
    const choice = body.choices[0]
    turns.push({
      sampled: choice.token_ids,
      prompt: body.prompt_token_ids,
      text: `${choice.message.reasoning ?? ''}|${choice.message.content ?? ''}`,
    })
    return choice.message
  }
  const first = await call()
  messages.push(
    { role: 'assistant', content: first.content, reasoning: first.reasoning, tool_calls: first.tool_calls },
    { role: 'tool', tool_call_id: first.tool_calls[0].id, content: TOOL_RESULT }
  )
  const second = await call()
  messages.push({ role: 'assistant', content: second.content, reasoning: second.reasoning }, USER_2)
  await call()
  return { turns, toolArgs: first.tool_calls[0].function.arguments }
}

/** Token-in mode: prompt = previous prompt + sampled ids + the ids of what was appended (a bridge). */
async function tokenInRollout(mock: MockVLLM): Promise<Turn[]> {
  const tokenize = async (messages: unknown[], addGenerationPrompt: boolean): Promise<number[]> =>
    (
      (await (
        await post(`${mock.url}/tokenize`, { messages, tools: TOOLS, add_generation_prompt: addGenerationPrompt })
      ).json()) as Json
    ).tokens
  const dummy = [{ role: 'assistant', content: 'x' }]
  const before = await tokenize(dummy, false)
  const end = before.lastIndexOf(IM_END)
  const bridge = async (appended: unknown[]): Promise<number[]> => {
    const after = await tokenize([...dummy, ...appended], true)
    expect(after.slice(0, before.length)).toEqual(before)
    return after.slice(end + 1)
  }
  const turns: Turn[] = []
  const call = async (prompt: number[]): Promise<number[]> => {
    const body = (await (
      await post(`${mock.baseUrl}/completions`, { prompt, max_tokens: 512, return_token_ids: true })
    ).json()) as Json
    const choice = body.choices[0]
    expect(choice.prompt_token_ids).toEqual(prompt)
    turns.push({ sampled: choice.token_ids, prompt, text: choice.text })
    return choice.token_ids
  }
  const p1 = await tokenize([USER_1], true)
  const s1 = await call(p1)
  const p2 = [...p1, ...s1, ...(await bridge([{ role: 'tool', content: TOOL_RESULT }]))]
  const s2 = await call(p2)
  await call([...p2, ...s2, ...(await bridge([USER_2]))])
  return turns
}

describe.each<ToolParserName>(['hermes', 'qwen3_coder'])('chat mode vs token-in (%s tool calls)', (toolParser) => {
  let mock: MockVLLM
  beforeAll(async () => {
    mock = await startMockVLLM({ policy: policy(), toolParser, seed: 11 })
  })
  afterAll(() => mock.close())

  it('samples the same ids in both modes, while chat mode re-renders history', async () => {
    const chat = await chatRollout(mock)
    const tokenIn = await tokenInRollout(mock)
    expect(tokenIn.map((t) => t.sampled)).toEqual(chat.turns.map((t) => t.sampled))
    // The non-canonical split reached the ids: `H` + `AVING`.
    const first = chat.turns[0]?.sampled ?? []
    expect(first.some((id, i) => id === 39 && first[i + 1] === 83722)).toBe(true)
    expect(JSON.parse(chat.toolArgs)).toEqual({ term: 'HAVING', limit: 2 })
    // Chat mode's second prompt no longer extends the first prompt + sampled ids; token-in's does by construction.
    const [c1, c2] = chat.turns
    const extends1 = [...(c1?.prompt ?? []), ...(c1?.sampled ?? [])]
    expect(c2?.prompt.slice(0, extends1.length)).not.toEqual(extends1)
    // The rng-dependent words and the turn numbers agree too.
    expect(tokenIn[1]?.text).toContain('turn 1')
    expect(tokenIn[2]?.text).toContain('turn 2')
    expect(chat.turns[2]?.text).toContain(tokenIn[2]?.text.split('</think>\n\n')[1])
  })
})
