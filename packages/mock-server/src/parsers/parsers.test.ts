import { describe, expect, it } from 'vitest'
import type { ToolDefinition } from '../types.js'
import { extractHermes, HermesStream } from './hermes.js'
import { parseMessage, StreamView } from './output-view.js'
import { extractQwen3Coder, Qwen3CoderStream } from './qwen3-coder.js'
import type { ToolCallDelta } from './types.js'

const WEATHER: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'integer' },
          celsius: { type: 'boolean' },
          threshold: { type: 'number' },
          options: { type: 'object' },
          note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
      },
    },
  },
]

/** Feed text in pieces of `size` characters, as a stream would. */
function streamAll(
  parser: { advance(text: string, finished: boolean): { content?: string; toolCalls?: ToolCallDelta[] } },
  text: string,
  size: number
) {
  let content = ''
  const calls: ToolCallDelta[] = []
  for (let to = size; to < text.length + size; to += size) {
    const out = parser.advance(text.slice(0, Math.min(to, text.length)), to >= text.length)
    content += out.content ?? ''
    calls.push(...(out.toolCalls ?? []))
  }
  const args = (index: number): string =>
    calls
      .filter((c) => c.index === index)
      .map((c) => c.function.arguments ?? '')
      .join('')
  return { content, calls, args }
}

describe('hermes', () => {
  it('several calls, content before the first, arguments re-dumped', () => {
    const text =
      'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris","days":2}}\n</tool_call>\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>'
    expect(extractHermes(text)).toEqual({
      content: 'Let me check.\n',
      calls: [
        { name: 'get_weather', arguments: '{"city": "Paris", "days": 2}' },
        { name: 'get_weather', arguments: '{"city": "Oslo"}' },
      ],
    })
  })

  it('one malformed call keeps everything as content (non-streaming)', () => {
    expect(extractHermes('<tool_call>\n{"name": "get_weather", "arguments": {"city": }}\n</tool_call>')).toBeUndefined()
    expect(extractHermes('no calls here')).toBeUndefined()
  })

  it('streaming: header without arguments, raw argument text verbatim, any split', () => {
    const text = 'Sure.<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris","days":2}}\n</tool_call>'
    for (const size of [1, 3, 7, 200]) {
      const { content, calls, args } = streamAll(new HermesStream(), text, size)
      expect(content).toBe('Sure.')
      expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } })
      expect(calls[0]?.function).not.toHaveProperty('arguments')
      expect(args(0)).toBe('{"city":"Paris","days":2}')
    }
  })

  it('streaming: malformed argument JSON still streams as a tool call', () => {
    const { calls, args } = streamAll(
      new HermesStream(),
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": Paris}}\n</tool_call>',
      4
    )
    expect(calls[0]?.function.name).toBe('get_weather')
    expect(args(0)).toBe('{"city": Paris}')
  })
})

describe('qwen3_coder', () => {
  const call = (params: string): string => `<tool_call>\n<function=get_weather>\n${params}</function>\n</tool_call>`

  it('converts parameters by the schema; unconvertible values stay strings', () => {
    const text = `Checking.\n${call(
      '<parameter=city>\nNew York\n</parameter>\n<parameter=days>\n3\n</parameter>\n<parameter=celsius>\nTrue\n</parameter>\n<parameter=threshold>\n2.5\n</parameter>\n<parameter=options>\n{"units": "metric"}\n</parameter>\n<parameter=note>\nnull\n</parameter>\n'
    )}`
    expect(extractQwen3Coder(text, WEATHER)).toEqual({
      content: 'Checking.\n',
      calls: [
        {
          name: 'get_weather',
          arguments:
            '{"city": "New York", "days": 3, "celsius": true, "threshold": 2.5, "options": {"units": "metric"}, "note": null}',
        },
      ],
    })
    const loose = extractQwen3Coder(
      call('<parameter=days>\nthree\n</parameter>\n<parameter=extra>\n7\n</parameter>\n'),
      WEATHER
    )
    expect(loose?.calls[0]?.arguments).toBe('{"days": "three", "extra": "7"}')
  })

  it('a missing </parameter> ends at the next parameter', () => {
    const text = call('<parameter=city>\nParis\n<parameter=days>\n2\n</parameter>\n')
    expect(extractQwen3Coder(text, WEATHER)?.calls[0]?.arguments).toBe('{"city": "Paris", "days": 2}')
  })

  it('streaming: header with empty arguments, then fragments that concatenate to the non-streaming arguments', () => {
    const text = `Hi.\n${call('<parameter=city>\nParis\n</parameter>\n<parameter=days>\n2\n</parameter>\n')}\n${call('')}`
    const expected = extractQwen3Coder(text, WEATHER)
    for (const size of [1, 5, 500]) {
      const { content, calls, args } = streamAll(new Qwen3CoderStream(WEATHER), text, size)
      expect(content).toBe('Hi.\n')
      const headers = calls.filter((c) => c.function.name !== undefined)
      expect(headers.map((h) => [h.index, h.function.arguments, h.id?.startsWith('call_')])).toEqual([
        [0, '', true],
        [1, '', true],
      ])
      expect([args(0), args(1)]).toEqual(expected?.calls.map((c) => c.arguments))
    }
  })
})

describe('output view', () => {
  const parsing = {
    reasoningParser: 'qwen3' as const,
    toolParser: 'hermes' as const,
    tools: WEATHER,
    thinking: true,
  }

  it('reasoning, then content; whitespace-only content next to tool calls is null', () => {
    const text = '<think>\nHmm.\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call>'
    expect(parseMessage(text, parsing)).toEqual({
      reasoning: '\nHmm.\n',
      content: null,
      toolCalls: [{ name: 'get_weather', arguments: '{}' }],
    })
    expect(parseMessage('<think>\nstill thinking', parsing)).toEqual({
      reasoning: '\nstill thinking',
      content: null,
      toolCalls: [],
    })
    expect(parseMessage('<think>\nstill thinking', { ...parsing, thinking: false }).reasoning).toBeNull()
  })

  it('streams reasoning and content deltas that concatenate to the parsed message', () => {
    const text = '<think>\nA plan.\n</think>\n\nThe answer.'
    const view = new StreamView(text, parsing)
    let reasoning = ''
    let content = ''
    for (let to = 1; to <= text.length; to++) {
      const d = view.advance(to, to === text.length)
      reasoning += d.reasoning ?? ''
      content += d.content ?? ''
    }
    expect({ reasoning, content }).toEqual({ reasoning: '\nA plan.\n', content: '\n\nThe answer.' })
    expect(view.toolsStreamed).toBe(false)
  })
})
