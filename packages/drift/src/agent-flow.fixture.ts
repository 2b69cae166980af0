import type { ChatTemplateMessage, HfChatTokenizer } from '@strands-vllm/tokenizer'
import type { DriftCallRecord } from './call-record.js'

/**
 * A three-turn Qwen3 tool flow built with the real template (test fixture): each prompt is what vLLM
 * renders for the agent's history; each response is what a model could sample, with one
 * non-canonical split in the later responses and a compact tool call in the first one.
 */
export function agentFlow(tok: HfChatTokenizer): DriftCallRecord[] {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Get weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ]
  const imEnd = tok.eosTokenIds[0] as number
  const split = (text: string, word: string): number[] => {
    const ids = tok.encode(text)
    const at = ids.findIndex((id) => tok.idToToken(id) === word)
    if (at < 0) throw new Error(`fixture: ${word} not in ${text}`)
    const pieces = [word.slice(0, 1), word.slice(1)].map((p) => {
      const id = tok.tokenToId(p)
      if (id === undefined) throw new Error(`fixture: ${p} is not a vocab piece`)
      return id
    })
    return [...ids.slice(0, at), ...pieces, ...ids.slice(at + 1)]
  }
  const render = (messages: ChatTemplateMessage[]): number[] => tok.encodeChat(messages, { tools })

  const user: ChatTemplateMessage = { role: 'user', content: 'Weather in Paris?' }
  const call0 = [
    ...tok.encode('<think>\nI should call the weather tool.\n</think>\n\n'),
    ...tok.encode('<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call>'),
    imEnd,
  ]
  const assistant0: ChatTemplateMessage = {
    role: 'assistant',
    content: '',
    reasoning_content: 'I should call the weather tool.',
    tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
  }
  const tool: ChatTemplateMessage = { role: 'tool', content: '{"temp_c": 18}' }
  const call1 = [
    ...tok.encode('<think>\nThe tool said 18C.\n</think>\n\n'),
    ...split('It is 18°C in Paris.', 'ĠParis'),
    imEnd,
  ]
  const assistant1: ChatTemplateMessage = { role: 'assistant', content: 'It is 18°C in Paris.' }
  const user2: ChatTemplateMessage = { role: 'user', content: 'And tomorrow?' }
  const call2 = [...split('Tomorrow it rains.', 'Ġit'), imEnd]
  const assistant2: ChatTemplateMessage = { role: 'assistant', content: 'Tomorrow it rains.' }
  const user3: ChatTemplateMessage = { role: 'user', content: 'Thanks!' }

  return [
    { callIndex: 0, promptTokenIds: render([user]), tokenIds: call0, finishReason: 'tool_calls' },
    { callIndex: 1, promptTokenIds: render([user, assistant0, tool]), tokenIds: call1, finishReason: 'stop' },
    {
      callIndex: 2,
      promptTokenIds: render([user, assistant0, tool, assistant1, user2]),
      tokenIds: call2,
      finishReason: 'stop',
    },
    {
      callIndex: 3,
      promptTokenIds: render([user, assistant0, tool, assistant1, user2, assistant2, user3]),
      tokenIds: [...tok.encode('You are welcome.'), imEnd],
      finishReason: 'stop',
    },
  ]
}
