import { type MockVLLM, type RecordedRequest, startMockVLLM, type ToolParserName } from '@strands-vllm/mock-server'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VLLMResponseFields } from './tito-fields.js'
import {
  assistantTurns,
  type EpisodeRun,
  IM_END,
  LOOKUP_RESULT,
  lookupTool,
  runSqlEpisode,
  sqlPolicy,
  USER_1,
  USER_2,
} from './token-in/__fixtures__/sql-episode.js'
import type { ChatRenderer } from './token-in/token-in-options.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/**
 * Issue 12, "Done when" 1 and 2 at the model level: the same scripted episode in chat mode and in token-in mode
 * (both transports, both tool-call formats) samples the same ids and gives the same tool calls and answers; every
 * prompt the server received is the recorded one; token-in prompts extend by construction, with bridges that an
 * independent rendering of the appended messages with the real Qwen3 template confirms, and the server's and the
 * local renderer's prompts are identical. (The trajectory view is in packages/tito/src/token-in-rollout.test.ts.)
 */
const tokenizer = loadQwen3Tokenizer()
const startsWith = (ids: readonly number[], prefix: readonly number[]): boolean =>
  prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id)

describe.each<[ToolParserName, 'stream' | 'json']>([
  ['hermes', 'stream'],
  ['hermes', 'json'],
  ['qwen3_coder', 'stream'],
  ['qwen3_coder', 'json'],
])('the scripted episode, %s tool calls, transport %s', (toolFormat, transport) => {
  let mock: MockVLLM
  let chat: EpisodeRun
  let server: EpisodeRun
  let local: EpisodeRun
  const requests: Record<'chat' | 'server' | 'local', RecordedRequest[]> = { chat: [], server: [], local: [] }
  let tokenizeCalls: Record<'server' | 'local', number>

  beforeAll(async () => {
    mock = await startMockVLLM({ policy: sqlPolicy(), toolParser: toolFormat, seed: 11 })
    const model = (extra: Partial<VLLMModelOptions>) =>
      new VLLMModel({
        baseUrl: mock.baseUrl,
        modelId: 'Qwen/Qwen3-8B',
        returnTokenIds: true,
        logprobs: true,
        maxTokens: 512,
        temperature: 1,
        stream: transport === 'stream',
        eosTokenIds: [151645, 151643],
        ...extra,
      })
    const parser = toolFormat === 'qwen3_coder' ? ({ toolParser: 'qwen3_coder' } as const) : {}
    const run = async (key: 'chat' | 'server' | 'local', extra: Partial<VLLMModelOptions>) => {
      const before = mock.requests.length
      const out = await runSqlEpisode(model(extra))
      requests[key] = mock.requests.slice(before).filter((r) => r.status === 200)
      return out
    }
    chat = await run('chat', {})
    server = await run('server', { tokenIn: { ...parser } })
    local = await run('local', { tokenIn: { ...parser, tokenizer } })
    tokenizeCalls = {
      server: requests.server.filter((r) => r.path === '/tokenize').length,
      local: requests.local.filter((r) => r.path === '/tokenize').length,
    }
  })
  afterAll(() => mock?.close())

  it('token-in samples the same ids as chat mode and gives the same tool calls, reasoning and answers', () => {
    expect(chat.fields).toHaveLength(3)
    expect(server.fields.map((f) => f.tokenIds)).toEqual(chat.fields.map((f) => f.tokenIds))
    expect(assistantTurns(server.agent.messages)).toEqual(assistantTurns(chat.agent.messages))
    expect(assistantTurns(server.agent.messages)[0]).toContainEqual({
      tool: 'lookup',
      input: { term: 'HAVING', limit: 2 },
    })
    // The non-canonical split reached the ids: `H` + `AVING`.
    const first = server.fields[0]!.tokenIds!
    expect(first.some((id, i) => id === 39 && first[i + 1] === 83722)).toBe(true)
    expect(String(server.agent.messages.at(-1)?.content.at(-1)?.type)).toBe('textBlock')
    for (const f of [...chat.fields, ...server.fields])
      expect(f.tito.status, JSON.stringify(f.tito.reasons)).toBe('exact')
    expect(server.fields.map((f) => f.logprobs)).toEqual(chat.fields.map((f) => f.logprobs))
  })

  it('every prompt the server received is the recorded one, and the ids it sent are the recorded ids', () => {
    for (const [key, run, path] of [
      ['chat', chat, '/v1/chat/completions'],
      ['server', server, '/v1/completions'],
      ['local', local, '/v1/completions'],
    ] as const) {
      const sent = requests[key].filter((r) => r.path === path)
      expect(sent.map((r) => r.promptTokenIds)).toEqual(run.fields.map((f) => f.promptTokenIds))
      expect(sent.map((r) => r.tokenIds)).toEqual(run.fields.map((f) => f.tokenIds))
      if (key !== 'chat') {
        // The int-array prompt token-in sent is what vLLM reports back.
        expect(sent.map((r) => (r.body as { prompt: number[] }).prompt)).toEqual(
          run.fields.map((f) => f.promptTokenIds)
        )
      }
    }
  })

  it('token-in: one rendering, then each prompt = previous prompt + sampled ids + bridge; chat mode re-renders', () => {
    const [f1, f2, f3] = server.fields as [VLLMResponseFields, VLLMResponseFields, VLLMResponseFields]
    expect(server.fields.map((f) => f.tito.mode)).toEqual(['token-in', 'token-in', 'token-in'])
    expect(f1.tito.tokenIn).toEqual({
      prompt: 'rendered',
      renderReason: 'first_call',
      renderer: 'server',
      bridgeLength: null,
      synthesizedClose: false,
      previousLength: null,
    })
    for (const [prev, next] of [
      [f1, f2],
      [f2, f3],
    ] as const) {
      const previous = [...prev.promptTokenIds!, ...prev.tokenIds!]
      expect(startsWith(next.promptTokenIds!, previous)).toBe(true)
      expect(next.tito.tokenIn).toMatchObject({
        prompt: 'extended',
        renderReason: null,
        previousLength: previous.length,
        bridgeLength: next.promptTokenIds!.length - previous.length,
        synthesizedClose: false,
      })
    }
    // Chat mode: the template rewrote history (reasoning dropped, arguments re-serialized), so the sampled ids of
    // the first call are no longer in the second prompt.
    const c1 = chat.fields[0]!
    expect(startsWith(chat.fields[1]!.promptTokenIds!, [...c1.promptTokenIds!, ...c1.tokenIds!])).toBe(false)
    // One /tokenize for the first prompt and one for the dummy prefix, then one per call.
    expect(tokenizeCalls.server).toBe(4)
    expect(tokenizeCalls.local).toBe(0)
  })

  it('bridges equal an independent rendering of the appended messages with the real Qwen3 template', () => {
    const [, f2, f3] = server.fields as [VLLMResponseFields, VLLMResponseFields, VLLMResponseFields]
    const bridge = (f: VLLMResponseFields) => f.promptTokenIds!.slice(f.tito.tokenIn!.previousLength!)
    // After the tool call: the full conversation rendered by the template (prefix-stable here: no new user turn)
    // continues after the assistant turn's <|im_end|> exactly with the bridge — the `\n` separator included.
    const templateTools = [lookupTool].map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.toolSpec.inputSchema ?? null },
    }))
    const call = server.agent.messages[1]!.content.find((b) => b.type === 'toolUseBlock')!
    const conversation = [
      { role: 'user', content: USER_1 },
      {
        role: 'assistant',
        content: '',
        reasoning_content: 'They ask about HAVING; look it up.',
        tool_calls: [{ id: call.toolUseId, type: 'function', function: { name: 'lookup', arguments: call.input } }],
      },
    ]
    const upToAssistant = tokenizer.encodeChat(conversation, { tools: templateTools, addGenerationPrompt: false })
    const withTool = tokenizer.encodeChat([...conversation, { role: 'tool', content: LOOKUP_RESULT }], {
      tools: templateTools,
      addGenerationPrompt: true,
    })
    expect(withTool.slice(upToAssistant.lastIndexOf(IM_END) + 1)).toEqual(bridge(f2))
    expect(tokenizer.decode(bridge(f2))).toBe(
      `\n<|im_start|>user\n<tool_response>\n${LOOKUP_RESULT}\n</tool_response><|im_end|>\n<|im_start|>assistant\n`
    )
    // After the answer, a new user turn: the template would strip earlier reasoning from a full rendering, so the
    // independent rendering is the new message alone, behind the template's separator.
    expect(bridge(f3)).toEqual([
      ...tokenizer.encode('\n'),
      ...tokenizer.encodeChat([{ role: 'user', content: USER_2 }], { addGenerationPrompt: true }),
    ])
    expect(f2.tokenIds!.at(-1)).toBe(IM_END)
  })

  it('the local renderer (loadQwen3Tokenizer) gives the very prompts the server renders', () => {
    expect(local.fields.map((f) => f.promptTokenIds)).toEqual(server.fields.map((f) => f.promptTokenIds))
    expect(local.fields.map((f) => f.tokenIds)).toEqual(server.fields.map((f) => f.tokenIds))
    expect(local.fields.map((f) => f.tito.tokenIn?.renderer)).toEqual(['local', 'local', 'local'])
    expect(assistantTurns(local.agent.messages)).toEqual(assistantTurns(server.agent.messages))
  })
})

describe('token-in structural renderer type', () => {
  it('HfChatTokenizer fits ChatRenderer without an adapter', () => {
    const renderer: ChatRenderer = tokenizer
    expect(renderer.encodeChat([{ role: 'user', content: 'hi' }]).length).toBeGreaterThan(0)
  })
})
