import { describe, expect, it } from 'vitest'
import { checkFixture } from './__fixtures__/harness.js'
import { hermesCases } from './__fixtures__/hermes-cases.js'
import { createHermesToolParser } from './hermes-tool-parser.js'

describe('hermes tool parser (cases from vLLM tests, whole and split anywhere)', () => {
  for (const fixture of hermesCases) {
    it(fixture.name, () => checkFixture(fixture))
  }
})

describe('hermes tool parser streams live', () => {
  const ids = (): (() => string) => {
    let n = 0
    return () => `call-${n++}`
  }

  it('content right away, each call as one delta once its block closes', () => {
    const parser = createHermesToolParser({ tools: [], thinking: true, newToolCallId: ids() })
    expect(parser.push('Sure. <tool')).toEqual([{ content: 'Sure. ' }])
    expect(parser.push('_call>\n{"name": "a", ')).toEqual([])
    expect(parser.push('"arguments": {"x": 1}}\n</tool_')).toEqual([])
    expect(parser.push('call>\n')).toEqual([
      { tool_calls: [{ index: 0, id: 'call-0', type: 'function', function: { name: 'a', arguments: '{"x": 1}' } }] },
    ])
    expect(parser.push('<tool_call>{"name": "b", "arguments": {}}</tool_call>')).toEqual([
      { tool_calls: [{ index: 1, id: 'call-1', type: 'function', function: { name: 'b', arguments: '{}' } }] },
    ])
    expect(parser.push('\n')).toEqual([])
    expect(parser.finish()).toEqual([])
  })

  it('a very long call body is not re-scanned from the start on every piece', () => {
    const parser = createHermesToolParser({ tools: [], thinking: true })
    parser.push('<tool_call>{"name": "w", "arguments": {"text": "')
    const word = 'abcdefgh '
    for (let i = 0; i < 50_000; i++) expect(parser.push(word)).toEqual([])
    const [delta] = parser.push('"}}</tool_call>')
    expect(delta?.tool_calls?.[0]?.function?.arguments).toHaveLength(word.length * 50_000 + 12)
  })
})
