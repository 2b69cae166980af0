import {
  ImageBlock,
  Message,
  type ModelStreamEvent,
  SlidingWindowConversationManager,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
  tool,
} from '@strands-agents/sdk'
import { type MockVLLM, type Policy, scriptedPolicy, startMockVLLM } from '@strands-vllm/mock-server'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { VLLMConcurrentCallError, VLLMGenerationAbortedError, VLLMTokenInError } from './errors.js'
import { getInvalidToolInput } from './invalid-tool-input.js'
import { getVLLMResponseFields, type VLLMResponseFields } from './tito-fields.js'
import {
  episodeAgent,
  IM_END,
  lookupTool,
  runSqlEpisode,
  sqlPolicy,
  USER_1,
  USER_2,
} from './token-in/__fixtures__/sql-episode.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/** Issue 12, "Done when" 3 and item (e): token-in's state machine, bridges and failure modes against the mock. */
const tokenizer = loadQwen3Tokenizer()
const mocks: MockVLLM[] = []
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.close()))
})
async function mockWith(policy: Policy, extra: Parameters<typeof startMockVLLM>[0] = {}): Promise<MockVLLM> {
  const mock = await startMockVLLM({ policy, seed: 5, ...extra })
  mocks.push(mock)
  return mock
}
const warnings: string[] = []
const tokenInModel = (mock: MockVLLM, extra: Partial<VLLMModelOptions> = {}) =>
  new VLLMModel({
    baseUrl: mock.baseUrl,
    modelId: 'Qwen/Qwen3-8B',
    tokenIn: true,
    maxTokens: 256,
    eosTokenIds: [151645, 151643],
    logger: { warn: (m) => warnings.push(m) },
    ...extra,
  })
const completions = (mock: MockVLLM) => mock.requests.filter((r) => r.path === '/v1/completions')
const user = (text: string) => new Message({ role: 'user', content: [new TextBlock(text)] })

/** Drives `model.stream()` directly; returns the call's fields and its events. */
async function call(
  model: VLLMModel,
  messages: Message[],
  options: Parameters<VLLMModel['stream']>[1] = {}
): Promise<{ fields: VLLMResponseFields; events: ModelStreamEvent[] }> {
  const events: ModelStreamEvent[] = []
  for await (const event of model.stream(messages, options)) events.push(event)
  const stop = events.find((e) => e.type === 'modelMessageStopEvent')
  const fields = getVLLMResponseFields(
    stop?.type === 'modelMessageStopEvent' ? stop.additionalModelResponseFields : undefined
  )
  if (!fields) throw new Error('no fields')
  return { fields, events }
}
const textOf = (events: ModelStreamEvent[], kind: 'textDelta' | 'reasoningContentDelta') =>
  events
    .map((e) => (e.type === 'modelContentBlockDeltaEvent' && e.delta.type === kind ? (e.delta.text ?? '') : ''))
    .join('')
const answer = (text: string): Message => new Message({ role: 'assistant', content: [new TextBlock(text)] })

describe('one instance, one conversation', () => {
  let mock: MockVLLM
  beforeAll(async () => {
    mock = await mockWith(() => ({ content: 'Hello there.' }))
  })

  it('two overlapping stream() calls on one token-in instance fail clearly instead of mixing conversations', async () => {
    const model = tokenInModel(mock)
    const first = model.stream([user('one')])
    const pending = first.next()
    const second = model.stream([user('two')])
    await expect(second.next()).rejects.toSatisfy((e) => VLLMConcurrentCallError.isInstance(e))
    await expect(second.next()).resolves.toMatchObject({ done: true })
    await pending
    for await (const _ of first) {
      // drain
    }
    // Once the first call is done the instance takes the next one.
    const { fields } = await call(model, [user('one'), answer('Hello there.'), user('two')])
    expect(fields.tito.tokenIn?.prompt).toBe('extended')
  })

  it('the session key is the instance’s own id by default (header and body); a configured one wins', async () => {
    const a = tokenInModel(mock)
    const b = tokenInModel(mock, { client: new OpenAI({ baseURL: mock.baseUrl, apiKey: 'EMPTY', maxRetries: 0 }) })
    const fa = (await call(a, [user('hi')])).fields
    const fb = (await call(b, [user('hi')])).fields
    expect(fa.tito.sessionId).toMatch(/^strands-vllm-/)
    expect(fb.tito.sessionId).not.toBe(fa.tito.sessionId)
    const sent = completions(mock).slice(-2)
    expect(sent.map((r) => r.headers['x-session-id'])).toEqual([fa.tito.sessionId, fb.tito.sessionId])
    expect(sent.map((r) => (r.body as { session_id?: string }).session_id)).toEqual([
      fa.tito.sessionId,
      fb.tito.sessionId,
    ])
    const named = tokenInModel(mock, { session: { id: 'rollout-7' } })
    expect((await call(named, [user('hi')])).fields.tito.sessionId).toBe('rollout-7')
  })

  it('sends the int-array prompt with every sampling parameter; max_tokens defaults to max_model_len - prompt', async () => {
    const model = new VLLMModel({
      baseUrl: mock.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      tokenIn: true,
      logger: { warn: (m) => warnings.push(m) },
      logprobs: { top: 2 },
      temperature: 0.7,
      topP: 0.9,
      params: {
        top_k: 20,
        seed: 3,
        stop: ['\n\n\n'],
        chat_template_kwargs: { enable_thinking: false },
        tool_choice: 'auto',
      },
    })
    const { fields } = await call(model, [user('hi')])
    const body = completions(mock).at(-1)!.body as Record<string, unknown>
    const prompt = fields.promptTokenIds!
    expect(body).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      prompt,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 32_768 - prompt.length,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 20,
      seed: 3,
      stop: ['\n\n\n'],
      return_token_ids: true,
      logprobs: 2,
      skip_special_tokens: true,
    })
    expect(body).not.toHaveProperty('chat_template_kwargs')
    expect(body).not.toHaveProperty('tool_choice')
    expect(body).not.toHaveProperty('messages')
    expect(fields.tito.sampling).toMatchObject({
      logprobs: 2,
      max_tokens: 32_768 - prompt.length,
      chat_template_kwargs: { enable_thinking: false },
    })
    expect(fields.topLogprobs).toHaveLength(fields.tokenIds!.length)
    expect(fields.tito.status).toBe('exact')
    expect(warnings.some((w) => w.includes('params.tool_choice has no meaning for /v1/completions'))).toBe(true)
  })
})

describe('a retry after a failed call resends the same prompt', () => {
  it('call 2 aborted by the server (finish_reason abort), the same messages again: prompt "retry", same ids', async () => {
    const mock = await mockWith(() => ({ content: 'Sure, here is a long enough answer to cut in half.' }))
    const model = tokenInModel(mock)
    const first = await call(model, [user('one')])
    const history = [user('one'), answer('Sure, here is a long enough answer to cut in half.'), user('two')]
    model.updateConfig({ headers: { 'x-mock-fault': 'finish:abort' } })
    await expect(call(model, history)).rejects.toSatisfy((e) => VLLMGenerationAbortedError.isInstance(e))
    model.updateConfig({ headers: {} })
    const retried = await call(model, history)
    const [aborted, resent] = completions(mock).slice(-2)
    expect((resent!.body as { prompt: number[] }).prompt).toEqual((aborted!.body as { prompt: number[] }).prompt)
    expect(retried.fields.promptTokenIds).toEqual((aborted!.body as { prompt: number[] }).prompt)
    expect(retried.fields.tito.tokenIn).toMatchObject({ prompt: 'retry', renderReason: null, bridgeLength: null })
    const previous = [...first.fields.promptTokenIds!, ...first.fields.tokenIds!]
    expect(retried.fields.promptTokenIds!.slice(0, previous.length)).toEqual(previous)
    // The retry's response then extends like any other.
    const third = await call(model, [...history, answer(textOf(retried.events, 'textDelta')), user('three')])
    expect(third.fields.tito.tokenIn?.prompt).toBe('extended')
  })
})

describe('the agent loop', () => {
  it('a reset episode on the same agent starts over from a fresh rendering (messages_reset)', async () => {
    const mock = await mockWith(sqlPolicy())
    const run = episodeAgent(tokenInModel(mock))
    await run.agent.invoke(USER_1)
    run.agent.messages.splice(0)
    await run.agent.invoke(USER_1)
    const reasons = run.fields.map((f) => [f.tito.tokenIn?.prompt, f.tito.tokenIn?.renderReason])
    expect(reasons).toEqual([
      ['rendered', 'first_call'],
      ['extended', null],
      ['rendered', 'messages_reset'],
      ['extended', null],
    ])
    // The new episode's first prompt is the fresh rendering, the same as the first episode's.
    expect(run.fields[2]!.promptTokenIds).toEqual(run.fields[0]!.promptTokenIds)
    expect(run.fields[3]!.tito.tokenIn?.previousLength).toBe(
      run.fields[2]!.promptTokenIds!.length + run.fields[2]!.tokenIds!.length
    )
  })

  it('a conversation manager that trimmed history: the next call renders afresh (history_changed)', async () => {
    const mock = await mockWith((ctx) => ({ content: `Answer ${ctx.turn}.` }))
    const run = episodeAgent(tokenInModel(mock), {
      conversationManager: new SlidingWindowConversationManager({ windowSize: 2 }),
    })
    for (const question of ['one?', 'two?', 'three?']) await run.agent.invoke(question)
    // After the second turn the window keeps [two?, answer]: the third call's history no longer starts as sent.
    expect(run.fields.map((f) => f.tito.tokenIn?.renderReason)).toEqual(['first_call', null, 'history_changed'])
    const sent = completions(mock).at(-1)!
    expect(sent.promptTokenIds).toEqual(run.fields[2]!.promptTokenIds)
    expect(tokenizer.decode(sent.promptTokenIds!)).not.toContain('one?')
  })

  it('a sampled tool name the SDK renames to INVALID_TOOL_NAME still extends; the ids keep what was sampled', async () => {
    const mock = await mockWith(
      scriptedPolicy([
        { turn: 0, reply: { toolCalls: [{ name: 'look up!', arguments: { term: 'x' } }] } },
        { reply: { content: 'No such tool, sorry.' } },
      ])
    )
    const run = episodeAgent(tokenInModel(mock))
    await run.agent.invoke('go')
    const [, second] = run.fields
    expect(second!.tito.tokenIn).toMatchObject({ prompt: 'extended' })
    expect(tokenizer.decode(second!.promptTokenIds!)).toContain('"name": "look up!"')
    expect(tokenizer.decode(second!.promptTokenIds!)).not.toContain('INVALID_TOOL_NAME')
  })

  it('arguments that are not JSON: the invalid-input marker for the tool, the raw text in the ids, and the next prompt extends', async () => {
    const mock = await mockWith(
      scriptedPolicy([
        { turn: 0, reply: { toolCalls: [{ name: 'lookup', arguments: '{"term": "HAVING", "limit": ' }] } },
        { reply: { content: 'The call was broken.' } },
      ])
    )
    const run = episodeAgent(tokenInModel(mock))
    await run.agent.invoke(USER_1)
    const use = run.agent.messages[1]!.content.find((b) => b.type === 'toolUseBlock')
    expect(getInvalidToolInput(use?.type === 'toolUseBlock' ? use.input : undefined)?.raw).toContain('"limit": ')
    expect(run.fields[1]!.tito.tokenIn?.prompt).toBe('extended')
    expect(tokenizer.decode(run.fields[0]!.tokenIds!)).toContain('{"term": "HAVING", "limit": }')
  })

  it('tools, system prompt or template arguments that change start a fresh rendering with the reason', async () => {
    const mock = await mockWith(() => ({ content: 'ok' }))
    const model = tokenInModel(mock)
    const other = tool({ name: 'other', description: 'Other', inputSchema: z.object({}), callback: () => '' })
    const h1 = [user('a')]
    const h2 = [...h1, answer('ok'), user('b')]
    const h3 = [...h2, answer('ok'), user('c')]
    const h4 = [...h3, answer('ok'), user('d')]
    const h5 = [...h4, answer('ok'), user('e')]
    const spec = { toolSpecs: [lookupTool.toolSpec], systemPrompt: 'Be brief.' }
    const reasons: unknown[] = []
    for (const [messages, options] of [
      [h1, spec],
      [h2, spec],
      [h3, { ...spec, toolSpecs: [lookupTool.toolSpec, other.toolSpec] }],
      [h4, { ...spec, toolSpecs: [lookupTool.toolSpec, other.toolSpec], systemPrompt: 'Be verbose.' }],
    ] as const) {
      reasons.push(
        (await call(model, [...messages], { ...options, toolSpecs: [...options.toolSpecs] })).fields.tito.tokenIn
          ?.renderReason
      )
    }
    model.updateConfig({ params: { chat_template_kwargs: { enable_thinking: false } } })
    const last = await call(model, h5, {
      toolSpecs: [lookupTool.toolSpec, other.toolSpec],
      systemPrompt: 'Be verbose.',
    })
    reasons.push(last.fields.tito.tokenIn?.renderReason)
    expect(reasons).toEqual(['first_call', null, 'tools_changed', 'system_changed', 'template_changed'])
  })
})

describe('thinking', () => {
  it('thinking off: token-in extends across user turns where the chat template re-renders; all text is content', async () => {
    const mock = await mockWith(sqlPolicy())
    const params = { chat_template_kwargs: { enable_thinking: false } }
    const tokenIn = await runSqlEpisode(tokenInModel(mock, { params }))
    const chat = await runSqlEpisode(tokenInModel(mock, { params, tokenIn: false, returnTokenIds: true }))
    expect(tokenIn.fields.map((f) => f.tokenIds)).toEqual(chat.fields.map((f) => f.tokenIds))
    expect(tokenIn.fields.map((f) => f.tito.tokenIn?.prompt)).toEqual(['rendered', 'extended', 'extended'])
    expect(tokenizer.decode(tokenIn.fields[0]!.promptTokenIds!)).toMatch(
      /<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/
    )
    const [c2, c3] = [chat.fields[1]!, chat.fields[2]!]
    expect(c3.promptTokenIds!.slice(0, c2.promptTokenIds!.length + c2.tokenIds!.length)).not.toEqual([
      ...c2.promptTokenIds!,
      ...c2.tokenIds!,
    ])
    const blocks = tokenIn.agent.messages.flatMap((m) => m.content.map((b) => b.type))
    expect(blocks).not.toContain('reasoningBlock')
  })

  it('thinking on, a model that answers without a think block (original Qwen3 template): content in both modes', async () => {
    const mock = await mockWith(() => ({ content: 'Plain answer, no thinking.' }))
    const tokenIn = await call(tokenInModel(mock), [user('hi')])
    const chat = await call(tokenInModel(mock, { tokenIn: false, returnTokenIds: true }), [user('hi')])
    expect(textOf(tokenIn.events, 'textDelta')).toBe('Plain answer, no thinking.')
    expect(textOf(tokenIn.events, 'reasoningContentDelta')).toBe('')
    expect(textOf(chat.events, 'textDelta')).toBe(textOf(tokenIn.events, 'textDelta'))
  })
})

describe('a previous turn that did not end with the end-of-message id', () => {
  it('a stop string: the next bridge starts with the template close, synthesized as context', async () => {
    const mock = await mockWith(
      scriptedPolicy([
        { turn: 0, reply: { content: 'The answer is 42. DONE and more text the stop cuts off.' } },
        { reply: { content: 'Bye.' } },
      ])
    )
    const model = tokenInModel(mock, { params: { stop: ['DONE'] } })
    const run = episodeAgent(model)
    await run.agent.invoke('answer')
    await run.agent.invoke('bye')
    const [first, second] = run.fields as [VLLMResponseFields, VLLMResponseFields]
    expect(first.tito).toMatchObject({ finishReason: 'stop', stopReason: 'DONE' })
    expect(first.tokenIds!.at(-1)).not.toBe(IM_END)
    expect(second.tito.tokenIn).toMatchObject({ prompt: 'extended', synthesizedClose: true })
    const bridge = second.promptTokenIds!.slice(second.tito.tokenIn!.previousLength!)
    expect(bridge[0]).toBe(IM_END)
    expect(tokenizer.decode(bridge)).toBe('<|im_end|>\n<|im_start|>user\nbye<|im_end|>\n<|im_start|>assistant\n')
    expect(tokenizer.decode(second.promptTokenIds!)).toContain('The answer is 42. DONE<|im_end|>\n<|im_start|>user')
  })

  it('a call whose ids fail their checks is not extended from: previous_not_extendable', async () => {
    const mock = await mockWith(() => ({ content: 'ok' }))
    const model = tokenInModel(mock)
    model.updateConfig({ headers: { 'x-mock-fault': 'missing-prompt-ids' } })
    const first = await call(model, [user('a')])
    expect(first.fields.tito.status).toBe('incomplete')
    model.updateConfig({ headers: {} })
    const second = await call(model, [user('a'), answer('ok'), user('b')])
    expect(second.fields.tito.tokenIn).toMatchObject({ prompt: 'rendered', renderReason: 'previous_not_extendable' })
  })
})

describe('loud failures', () => {
  it('a dummy prefix the template renders differently before a user turn fails the bridge check with the position', async () => {
    const mock = await mockWith(sqlPolicy())
    // Qwen3 renders an assistant turn's reasoning only after the last user query: behind a new user message, the
    // dummy's reasoning disappears, so the dummy alone is no longer a prefix (why Miles bans this diff for Qwen3).
    const model = tokenInModel(mock, {
      tokenIn: {
        dummyPrefix: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'x', reasoning_content: 'r' },
        ],
      },
    })
    const run = episodeAgent(model)
    await run.agent.invoke(USER_1) // tool result after the assistant turn: stable, extends
    expect(run.fields.map((f) => f.tito.tokenIn?.prompt)).toEqual(['rendered', 'extended'])
    const sent = completions(mock).length
    let error: unknown
    try {
      await run.agent.invoke(USER_2)
    } catch (e) {
      error = e
    }
    expect(VLLMTokenInError.isInstance(error)).toBe(true)
    expect((error as VLLMTokenInError).code).toBe('bridge_not_prefix')
    // Where the two renderings part: the dummy's `<think>` block, rendered alone but not before the new user turn.
    const dummy = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'x', reasoning_content: 'r' },
    ]
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', description: lookupTool.description, parameters: lookupTool.toolSpec.inputSchema },
      },
    ]
    const alone = tokenizer.encodeChat(dummy, { tools, addGenerationPrompt: false })
    const behind = tokenizer.encodeChat([...dummy, { role: 'user', content: USER_2 }], { tools })
    const position = alone.findIndex((id, i) => behind[i] !== id)
    expect(position).toBeGreaterThan(0)
    expect(tokenizer.decode(alone.slice(position, position + 1))).toBe('<think>')
    expect((error as VLLMTokenInError).position).toBe(position)
    expect((error as Error).message).toMatch(/first difference at position \d+ .*set tokenIn.dummyPrefix/)
    expect(completions(mock)).toHaveLength(sent) // nothing was sent
  })

  it('a server without /tokenize: a typed error that says to pass a local tokenizer', async () => {
    const mock = await mockWith(() => ({ content: 'ok' }))
    const model = tokenInModel(mock, { tokenIn: { tokenizeUrl: `${mock.url}/no-tokenize-here` } })
    await expect(call(model, [user('a')])).rejects.toSatisfy(
      (e) => VLLMTokenInError.isInstance(e) && e.code === 'render_failed' && /tokenIn: \{ tokenizer \}/.test(e.message)
    )
  })

  it('an image cannot be rendered into ids here: unsupported_content, nothing sent', async () => {
    const mock = await mockWith(() => ({ content: 'ok' }))
    const image = new ImageBlock({ format: 'png', source: { bytes: new Uint8Array([137, 80, 78, 71]) } })
    const messages = [new Message({ role: 'user', content: [new TextBlock('look'), image] })]
    for (const model of [tokenInModel(mock), tokenInModel(mock, { tokenIn: { tokenizer } })]) {
      await expect(call(model, messages)).rejects.toSatisfy(
        (e) => VLLMTokenInError.isInstance(e) && e.code === 'unsupported_content'
      )
    }
    expect(mock.requests).toHaveLength(0)
  })

  it('no max_tokens and no max_model_len known (a local renderer behind a gateway): a typed error, not 16 tokens', async () => {
    const model = new VLLMModel({
      baseUrl: 'http://127.0.0.1:9/v1',
      modelId: 'm',
      tokenIn: { tokenizer },
      logger: { warn: () => {} },
    })
    await expect(call(model, [user('a')])).rejects.toSatisfy(
      (e) => VLLMTokenInError.isInstance(e) && e.code === 'max_tokens_unknown' && /set maxTokens/.test(e.message)
    )
  })
})

describe('edited history', () => {
  it('an assistant turn that is not the one sampled (its reasoning dropped by hand) renders afresh', async () => {
    const mock = await mockWith(sqlPolicy())
    const model = tokenInModel(mock, { tokenIn: { tokenizer } })
    const first = await call(model, [user(USER_1)], { toolSpecs: [lookupTool.toolSpec] })
    const use = first.events.find((e) => e.type === 'modelContentBlockStartEvent' && e.start?.type === 'toolUseStart')
    const id =
      use?.type === 'modelContentBlockStartEvent' && use.start?.type === 'toolUseStart' ? use.start.toolUseId : ''
    const history = [
      user(USER_1),
      new Message({
        role: 'assistant',
        content: [new ToolUseBlock({ name: 'lookup', toolUseId: id, input: { term: 'HAVING', limit: 2 } })],
      }),
      new Message({
        role: 'user',
        content: [
          new ToolResultBlock({
            toolUseId: id,
            status: 'success',
            content: [new TextBlock('HAVING filters groups after GROUP BY.')],
          }),
        ],
      }),
    ]
    // The reasoning block is missing from this hand-written history: it does not extend what was sampled.
    const second = await call(model, history, { toolSpecs: [lookupTool.toolSpec] })
    expect(second.fields.tito.tokenIn?.renderReason).toBe('history_changed')
  })
})
