import { describe, expect, it } from 'vitest'
import { checkFixture } from './__fixtures__/harness.js'
import { qwen3CoderCases, SAMPLE_TOOLS } from './__fixtures__/qwen3-coder-cases.js'
import { createQwen3CoderToolParser } from './qwen3-coder-tool-parser.js'

describe('qwen3_coder tool parser (cases from vLLM tests, whole and split anywhere)', () => {
  for (const fixture of qwen3CoderCases) {
    it(fixture.name, () => checkFixture(fixture))
  }
})

describe('qwen3_coder tool parser streams live', () => {
  it('a well-formed call is emitted at its </tool_call>, without waiting for what follows', () => {
    const parser = createQwen3CoderToolParser({ tools: SAMPLE_TOOLS, thinking: true, newToolCallId: () => 'id' })
    expect(parser.push('Checking.\n<tool_call>\n<function=get_current_weather>\n<parameter=city>\nParis\n')).toEqual([
      { content: 'Checking.\n' },
    ])
    expect(parser.push('</parameter>\n</function>\n</tool_')).toEqual([])
    expect(parser.push('call>')).toEqual([
      {
        tool_calls: [
          {
            index: 0,
            id: 'id',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"city": "Paris"}' },
          },
        ],
      },
    ])
  })

  it('a </tool_call> inside a parameter value waits for the next text to decide', () => {
    const parser = createQwen3CoderToolParser({ tools: SAMPLE_TOOLS, thinking: true })
    expect(parser.push('<tool_call>\n<function=x>\n<parameter=code>\nprint("</tool_call>')).toEqual([])
    expect(parser.push('")\n</parameter>\n</function>\n</tool_call>')).toMatchObject([
      { tool_calls: [{ function: { name: 'x', arguments: '{"code": "print(\\"</tool_call>\\")"}' } }] },
    ])
  })
})
