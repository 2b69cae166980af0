import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { describe, expect, it } from 'vitest'
import { chatConversation, conversationKey } from './conversation.js'
import { promptConversation } from './prompt-conversation.js'
import type { ChatMessage, ToolDefinition } from './types.js'

const tokenizer = loadQwen3Tokenizer()
const TOOLS: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Look up',
      parameters: { type: 'object', properties: { term: { type: 'string' }, limit: { type: 'integer' } } },
    },
  },
]
const render = (messages: ChatMessage[], kwargs: Record<string, unknown> = {}): string =>
  tokenizer.renderChat(messages as never, { tools: TOOLS as never, chatTemplateKwargs: kwargs })

describe('promptConversation', () => {
  it('reads back a rendered conversation: system without the tools section, tools, tool results, user turns', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { type: 'function', function: { name: 'lookup', arguments: { term: 'a' } } },
          { type: 'function', function: { name: 'lookup', arguments: { term: 'b', limit: 2 } } },
        ],
      },
      { role: 'tool', content: 'A' },
      { role: 'tool', content: 'B' },
      { role: 'assistant', content: 'Done.' },
      { role: 'user', content: 'second' },
    ]
    const read = promptConversation(render(messages, { enable_thinking: false }))
    expect(read.thinking).toBe(false)
    expect(read.tools).toEqual([{ type: 'function', function: TOOLS[0]?.function }])
    expect(read.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'first'],
      ['assistant', ''],
      ['tool', 'A'],
      ['tool', 'B'],
      ['assistant', 'Done.'],
      ['user', 'second'],
    ])
    expect(
      read.messages[2]?.tool_calls?.map((c) => [c.function.name, JSON.parse(c.function.arguments as string)])
    ).toEqual([
      ['lookup', { term: 'a' }],
      ['lookup', { term: 'b', limit: 2 }],
    ])
    // Same conversation, same key, as the chat request the client would have sent.
    const wire: ChatMessage[] = messages.map((m) =>
      m.tool_calls
        ? {
            ...m,
            content: null,
            tool_calls: m.tool_calls.map((c) => ({
              ...c,
              function: { ...c.function, arguments: JSON.stringify(c.function.arguments) },
            })),
          }
        : m
    )
    expect(conversationKey(read)).toBe(
      conversationKey(
        chatConversation({ messages: wire, tools: TOOLS, chat_template_kwargs: { enable_thinking: false } })
      )
    )
  })

  it('keeps what the client appended itself: reasoning in history, compact JSON, Qwen3-Coder XML', () => {
    const sampled =
      '<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nPlan.\n</think>\n\n<tool_call>\n{"name": "lookup", "arguments": {"term":"x"}}\n</tool_call>\n<tool_call>\n<function=lookup>\n<parameter=term>\ny\n</parameter>\n<parameter=limit>\n3\n</parameter>\n</function>\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nok\n</tool_response><|im_end|>\n<|im_start|>assistant\n'
    const read = promptConversation(
      `<|im_start|>system\n${render([], {}).split('<|im_start|>system\n')[1]?.split('<|im_end|>')[0]}<|im_end|>\n${sampled}`
    )
    expect(read.thinking).toBe(true)
    const assistant = read.messages.find((m) => m.role === 'assistant')
    expect(assistant?.reasoning_content).toBe('Plan.')
    expect(assistant?.tool_calls?.map((c) => [c.function.name, JSON.parse(c.function.arguments as string)])).toEqual([
      ['lookup', { term: 'x' }],
      ['lookup', { term: 'y', limit: 3 }],
    ])
    expect(read.messages.at(-1)).toEqual({ role: 'tool', content: 'ok' })
  })

  it('text that is not ChatML is one user message', () => {
    expect(promptConversation('Once upon a time')).toEqual({
      messages: [{ role: 'user', content: 'Once upon a time' }],
      tools: [],
      thinking: true,
    })
  })
})
