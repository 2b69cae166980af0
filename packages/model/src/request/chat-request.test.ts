import {
  ImageBlock,
  JsonBlock,
  Message,
  ReasoningBlock,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
} from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { makeInvalidToolInput } from '../invalid-tool-input.js'
import { buildChatRequest } from './chat-request.js'

const noWarn = (): void => {}

describe('buildRequest', () => {
  const history = [
    new Message({ role: 'user', content: [new TextBlock('What is 2+3?')] }),
    new Message({
      role: 'assistant',
      content: [
        new ReasoningBlock({ text: 'I should add.' }),
        new TextBlock('Adding. '),
        new ToolUseBlock({ name: 'add', toolUseId: 'c1', input: { a: 2, b: 3 } }),
        new ToolUseBlock({ name: 'add', toolUseId: 'c2', input: makeInvalidToolInput('{"a": 2,', 'bad') }),
      ],
    }),
    new Message({
      role: 'user',
      content: [
        new ToolResultBlock({ toolUseId: 'c1', status: 'success', content: [new TextBlock('5')] }),
        new ToolResultBlock({
          toolUseId: 'c2',
          status: 'error',
          content: [new TextBlock('Error: tool_name=add | tool input is not valid JSON')],
        }),
        new TextBlock('and then?'),
      ],
    }),
  ]

  it('formats history: reasoning_content, raw invalid arguments as a JSON string, unprefixed error results, tool messages first', () => {
    const { body } = buildChatRequest(
      { modelId: 'm', baseUrl: 'http://x/v1' },
      history,
      { systemPrompt: [new TextBlock('You are '), new TextBlock('helpful.')] },
      noWarn
    )
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'What is 2+3?' },
      {
        role: 'assistant',
        content: 'Adding. ',
        reasoning_content: 'I should add.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } },
          { id: 'c2', type: 'function', function: { name: 'add', arguments: '"{\\"a\\": 2,"' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '5' },
      { role: 'tool', tool_call_id: 'c2', content: 'Error: tool_name=add | tool input is not valid JSON' },
      { role: 'user', content: 'and then?' },
    ])
  })

  it('sends JSON tool results as their JSON text and hoists images into a user message', () => {
    const image = new ImageBlock({ format: 'png', source: { bytes: new Uint8Array([1, 2, 3]) } })
    const { body } = buildChatRequest(
      { modelId: 'm', baseUrl: 'http://x/v1' },
      [
        new Message({
          role: 'user',
          content: [
            new ToolResultBlock({
              toolUseId: 'c1',
              status: 'success',
              content: [new JsonBlock({ json: { v: 1 } }), image],
            }),
          ],
        }),
      ],
      undefined,
      noWarn
    )
    expect(body.messages).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '{"v":1}' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } }] },
    ])
  })

  it('builds the body with managed keys winning, tools, tool choice and every sampling key recorded', () => {
    const built = buildChatRequest(
      {
        modelId: 'Qwen/Qwen3-8B',
        baseUrl: 'http://x/v1',
        maxTokens: 64,
        temperature: 1,
        topP: 1,
        returnTokenIds: true,
        logprobs: { top: 2 },
        params: { model: 'evil', stream: false, top_k: -1, seed: 7, chat_template_kwargs: { enable_thinking: false } },
      },
      [new Message({ role: 'user', content: [new TextBlock('hi')] })],
      {
        toolSpecs: [{ name: 'add', description: 'Add', inputSchema: { type: 'object', properties: {} } }],
        toolChoice: { tool: { name: 'add' } },
      },
      noWarn
    )
    expect(built.body).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: { name: 'add', description: 'Add', parameters: { type: 'object', properties: {} } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'add' } },
      max_tokens: 64,
      return_token_ids: true,
      logprobs: true,
      top_logprobs: 2,
    })
    expect(built.sampling).toEqual({
      top_k: -1,
      seed: 7,
      chat_template_kwargs: { enable_thinking: false },
      max_tokens: 64,
      temperature: 1,
      top_p: 1,
      logprobs: true,
      top_logprobs: 2,
    })
    expect(built.topLogprobs).toBe(true)
  })

  it('maps auto/any tool choice and sends neither tools nor tool_choice when disableTools is set', () => {
    const specs = [{ name: 'add', description: 'Add' }]
    const msgs = [new Message({ role: 'user', content: [new TextBlock('hi')] })]
    const base = { modelId: 'm', baseUrl: 'http://x/v1' }
    expect(buildChatRequest(base, msgs, { toolSpecs: specs, toolChoice: { auto: {} } }, noWarn).body.tool_choice).toBe(
      'auto'
    )
    expect(buildChatRequest(base, msgs, { toolSpecs: specs, toolChoice: { any: {} } }, noWarn).body.tool_choice).toBe(
      'required'
    )
    const disabled = buildChatRequest(
      { ...base, disableTools: true, params: { tool_choice: 'none' } },
      msgs,
      { toolSpecs: specs, toolChoice: { any: {} } },
      noWarn
    ).body
    expect('tools' in disabled).toBe(false)
    expect('tool_choice' in disabled).toBe(false)
  })
})
