import { describe, expect, it } from 'vitest'
import { checkFixture } from './__fixtures__/harness.js'
import { qwen3ReasoningCases } from './__fixtures__/qwen3-reasoning-cases.js'
import { Qwen3ReasoningParser } from './qwen3-reasoning-parser.js'

describe('qwen3 reasoning parser (cases from vLLM tests, whole and split anywhere)', () => {
  for (const fixture of qwen3ReasoningCases) {
    it(fixture.name, () => checkFixture(fixture))
  }
})

describe('qwen3 reasoning parser streams live', () => {
  it('emits reasoning before </think> arrives and holds back only a possible tag', () => {
    const parser = new Qwen3ReasoningParser({ thinking: true })
    expect(parser.push('Let me think')).toEqual([{ reasoning: 'Let me think' }])
    expect(parser.push(' about a <')).toEqual([{ reasoning: ' about a ' }])
    expect(parser.push('b>, then </th')).toEqual([{ reasoning: '<b>, then ' }])
    expect(parser.push('ink>\n\nThe answer')).toEqual([{ content: '\n\nThe answer' }])
    expect(parser.push(' is <')).toEqual([{ content: ' is <' }])
    expect(parser.finish()).toEqual([])
  })

  it('holds a <tool_call> only until it is clear whether a function tag follows', () => {
    const parser = new Qwen3ReasoningParser({ thinking: true })
    expect(parser.push('plan <tool_call>')).toEqual([{ reasoning: 'plan ' }])
    expect(parser.push('\n<func')).toEqual([])
    expect(parser.push('tion=bash>')).toEqual([{ content: '<tool_call>\n<function=bash>' }])
    const other = new Qwen3ReasoningParser({ thinking: true })
    other.push('plan <tool_call>')
    expect(other.push('\n{"name"')).toEqual([{ reasoning: '<tool_call>\n{"name"' }])
  })

  it('when the prompt opens no think block, holds back only a possible <think> at the very start', () => {
    const thinking = new Qwen3ReasoningParser({ thinking: true, promptEndsInThink: false })
    expect(thinking.push('<thi')).toEqual([])
    expect(thinking.push('nk>\nplan')).toEqual([{ reasoning: '\nplan' }])
    expect(thinking.push('</think>\n\nok')).toEqual([{ content: '\n\nok' }])
    const plain = new Qwen3ReasoningParser({ thinking: true, promptEndsInThink: false })
    expect(plain.push('<')).toEqual([])
    expect(plain.push('b>bold')).toEqual([{ content: '<b>bold' }])
    expect(plain.push(' </think>')).toEqual([{ content: ' </think>' }])
    expect(plain.finish()).toEqual([])
  })

  it('with thinking off passes every piece straight through as content', () => {
    const parser = new Qwen3ReasoningParser({ thinking: false })
    expect(parser.push('<thi')).toEqual([{ content: '<thi' }])
    expect(parser.finish()).toEqual([])
  })
})
