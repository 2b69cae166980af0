import { describe, expect, it } from 'vitest'
import { VLLMConfigError } from '../errors.js'
import type { WireTool } from '../wire.js'
import { composedCases } from './__fixtures__/composed-cases.js'
import { checkFixture, run } from './__fixtures__/harness.js'
import { createResponseParser, reasoningParsers, toolParsers } from './create-response-parser.js'
import type { ParserFactory } from './types.js'

const tools: WireTool[] = [{ type: 'function', function: { name: 'f', description: '' } }]
const CALL = '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>'

describe('createResponseParser: reasoning first, its content through the tool parser', () => {
  for (const fixture of composedCases) {
    it(fixture.name, () => checkFixture(fixture))
  }
})

describe('createResponseParser', () => {
  it('knows the parsers by vLLM name', () => {
    expect(Object.keys(reasoningParsers)).toEqual(['qwen3'])
    expect(Object.keys(toolParsers)).toEqual(['hermes', 'qwen3_coder'])
  })

  it('rejects an unknown name with a typed config error that lists the known ones', () => {
    const make = () => createResponseParser({ tools: 'llama3_json' }, { tools, thinking: true })
    expect(make).toThrow(/unknown tool parser "llama3_json": use one of hermes, qwen3_coder/)
    try {
      make()
    } catch (error) {
      expect(VLLMConfigError.isInstance(error)).toBe(true)
    }
    expect(() => createResponseParser({ reasoning: 'toString' }, { tools, thinking: true })).toThrow(VLLMConfigError)
  })

  it('without parsers every piece is content', () => {
    const parser = createResponseParser({ reasoning: null, tools: null }, { tools, thinking: true })
    expect(run(parser, ['<think>a', `</think>${CALL}`])).toMatchObject({
      content: `<think>a</think>${CALL}`,
      calls: [],
    })
  })

  it('runs the tool parser only when tools are offered and tool_choice is not none (as vLLM)', () => {
    for (const ctx of [
      { tools: [], thinking: false },
      { tools, thinking: false, toolChoice: 'none' as const },
    ]) {
      const parser = createResponseParser({ reasoning: 'qwen3', tools: 'hermes' }, ctx)
      expect(run(parser, [CALL])).toMatchObject({ content: CALL, calls: [] })
    }
    const parser = createResponseParser({ tools: 'hermes' }, { tools, thinking: false, toolChoice: 'auto' })
    expect(run(parser, [CALL]).calls).toEqual([{ index: 0, name: 'f', arguments: '{"a": 1}' }])
  })

  it('takes your own factories, composed the same way', () => {
    const seen: string[] = []
    const shout: ParserFactory = () => ({
      push: (text) => {
        seen.push(text)
        return [{ content: text.toUpperCase() }]
      },
      finish: () => [{ content: '!' }],
    })
    const parser = createResponseParser({ reasoning: 'qwen3', tools: shout }, { tools, thinking: true })
    expect(run(parser, ['<think>hm</think>', 'ok'])).toMatchObject({ reasoning: 'hm', content: 'OK!' })
    expect(seen).toEqual(['ok'])
  })

  it('uses the id generator from the context, one id per call, indices counting calls', () => {
    let n = 0
    const parser = createResponseParser(
      { reasoning: 'qwen3', tools: 'hermes' },
      { tools, thinking: false, newToolCallId: () => `call_${n++}` }
    )
    const deltas = [...parser.push(`${CALL}\n${CALL}`), ...parser.finish()]
    expect(deltas.map((d) => [d.tool_calls?.[0]?.index, d.tool_calls?.[0]?.id])).toEqual([
      [0, 'call_0'],
      [1, 'call_1'],
    ])
  })
})
