import type { ModelStreamEvent } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { EventMapper, mapStopReason } from './event-mapper.js'
import { getInvalidToolInput } from './invalid-tool-input.js'
import type { WireDelta } from './wire.js'

function run(deltas: WireDelta[]): { events: ModelStreamEvent[]; invalid: string[] } {
  const invalid: string[] = []
  const mapper = new EventMapper((name) => invalid.push(name))
  for (const delta of deltas) mapper.delta(delta)
  mapper.closeAll()
  return { events: mapper.out, invalid }
}

function kinds(events: ModelStreamEvent[]): string[] {
  return events.map((e) => {
    if (e.type === 'modelContentBlockStartEvent') return e.start ? `start:${e.start.type}` : 'start'
    if (e.type === 'modelContentBlockDeltaEvent') return `delta:${e.delta.type}`
    if (e.type === 'modelContentBlockStopEvent') return 'stop'
    return e.type
  })
}

describe('EventMapper', () => {
  it('closes the text block before a tool call opens, and keeps both parallel calls in order', () => {
    const { events } = run([
      { role: 'assistant', content: '' },
      { content: 'Adding.' },
      { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'add', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a": 1,' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "b": 2}' } }] },
      { tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'mul', arguments: '{"x": 3}' } }] },
    ])
    expect(kinds(events)).toEqual([
      'start',
      'delta:textDelta',
      'stop',
      'start:toolUseStart',
      'delta:toolUseInputDelta',
      'stop',
      'start:toolUseStart',
      'delta:toolUseInputDelta',
      'stop',
    ])
    expect(events[3]).toEqual({
      type: 'modelContentBlockStartEvent',
      start: { type: 'toolUseStart', name: 'add', toolUseId: 'a' },
    })
    expect(events[4]).toMatchObject({ delta: { input: '{"a": 1, "b": 2}' } })
    expect(events[7]).toMatchObject({ delta: { input: '{"x": 3}' } })
  })

  it('takes name and id from whichever delta carries them', () => {
    const { events } = run([
      { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
      { tool_calls: [{ index: 0, id: 'late-id', function: { arguments: ': 1}' } }] },
      { tool_calls: [{ index: 0, function: { name: 'add' } }] },
    ])
    expect(events[0]).toEqual({
      type: 'modelContentBlockStartEvent',
      start: { type: 'toolUseStart', name: 'add', toolUseId: 'late-id' },
    })
    expect(events[1]).toMatchObject({ delta: { input: '{"a": 1}' } })
  })

  it('reads reasoning from both field names and separates it from text', () => {
    const { events } = run([{ reasoning: 'think ' }, { reasoning_content: 'more' }, { content: 'answer' }])
    // Deltas of one block produced before the caller drains `out` are merged into one event.
    expect(kinds(events)).toEqual(['start', 'delta:reasoningContentDelta', 'stop', 'start', 'delta:textDelta', 'stop'])
    expect(events[1]).toMatchObject({ delta: { text: 'think more' } })
  })

  it('replaces invalid JSON arguments with the marker, in one delta, and reports it', () => {
    const { events, invalid } = run([
      { tool_calls: [{ index: 0, id: 'a', function: { name: 'add', arguments: '{"a": 1, "b": ' } }] },
    ])
    expect(invalid).toEqual(['add'])
    const delta = events[1]
    if (delta?.type !== 'modelContentBlockDeltaEvent' || delta.delta.type !== 'toolUseInputDelta') throw new Error('x')
    expect(getInvalidToolInput(JSON.parse(delta.delta.input))?.raw).toBe('{"a": 1, "b": ')
  })

  it('throws on a tool-call delta for a call already closed', () => {
    const mapper = new EventMapper(() => {})
    mapper.delta({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] })
    mapper.delta({ content: 'x' })
    expect(() => mapper.delta({ tool_calls: [{ index: 0, function: { arguments: '1' } }] })).toThrow(/index 0/)
  })
})

describe('mapStopReason', () => {
  it('maps vLLM finish reasons', () => {
    expect(mapStopReason('tool_calls', 1)).toBe('toolUse')
    expect(mapStopReason('tool_calls', 0)).toBe('endTurn')
    expect(mapStopReason('stop', 1)).toBe('toolUse')
    expect(mapStopReason('stop', 0)).toBe('endTurn')
    expect(mapStopReason('length', 0)).toBe('maxTokens')
    expect(mapStopReason('abort', 0)).toBe('endTurn')
  })
})
