import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { assistant, qwen3, qwen3Call, toolCallText, toolTurn, user } from './testing/qwen3-calls.js'
import { parseTitoJsonl, toTitoJsonl } from './tito-jsonl.js'

describe('a turn that did not end with its end-of-sequence id (issue 13.6)', () => {
  const m1 = [user('Write one word.')]
  const m2 = [...m1, assistant('Hello'), user('Another?')]
  /** The next prompt happens to extend the cut response: the template closed the message the model left open. */
  const pair = (end: Partial<TitoCallRecord>) => [
    qwen3Call(0, m1, 'Hello', { status: 'exact', ...end }),
    qwen3Call(1, m2, 'World<|im_end|>'),
  ]

  it.each<[string, Partial<TitoCallRecord>]>([
    ['length', { finishReason: 'length' }],
    ['abort', { finishReason: 'abort' }],
    ['repetition', { finishReason: 'repetition' }],
    ['a stop string', { finishReason: 'stop', stopReason: '</answer>' }],
    ['a stop token id', { finishReason: 'stop', stopReason: 151643 }],
    ['an unknown finish reason', { finishReason: 'content_filter' }],
    ['no finish reason', { finishReason: null }],
  ])('after %s the next call starts a new trajectory (truncated_previous)', (_, end) => {
    const calls = pair(end)
    expect(calls[1]!.promptTokenIds!.slice(0, calls[0]!.promptTokenIds!.length + 1)).toEqual([
      ...calls[0]!.promptTokenIds!,
      calls[0]!.tokenIds![0],
    ])
    const { divergences, calls: links, trajectories } = buildTrajectories(calls)
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0], [1]])
    expect(links[1]).toMatchObject({ relation: 'diverged', cause: 'truncated_previous' })
    expect(divergences[0]!.detail).toMatch(/previous call/)
    // Asked for, the stitch happens.
    expect(buildTrajectories(calls, { bridgeTruncated: true }).calls[1]!.relation).toBe('extends')
  })

  it('an EOS stop (stop_reason null) or tool calls extend', () => {
    const eos = [qwen3Call(0, m1, 'Hello<|im_end|>'), qwen3Call(1, m2, 'World<|im_end|>')]
    expect(buildTrajectories(eos).calls[1]!.relation).toBe('extends')
    const args = { a: 1, b: 2 }
    const tools = [
      qwen3Call(0, m1, toolCallText('add', args), { finishReason: 'tool_calls' }),
      qwen3Call(1, [...m1, ...toolTurn('c1', 'add', args, '3')], 'Three.<|im_end|>'),
    ]
    expect(buildTrajectories(tools).calls[1]!.relation).toBe('extends')
  })
})

describe('tool names the SDK rewrites (issue 13.14)', () => {
  const m1 = [user('Add 1 and 2.')]
  const args = { a: 1, b: 2 }
  /** The model called "add numbers" (a space: fails the SDK's pattern); the SDK sends it back as INVALID_TOOL_NAME. */
  const calls = (recordedName: string) => [
    qwen3Call(0, m1, toolCallText('add numbers', args), {
      finishReason: 'tool_calls',
      toolUses: [{ id: 'c1', name: recordedName }],
    }),
    qwen3Call(
      1,
      [...m1, ...toolTurn('c1', 'INVALID_TOOL_NAME', args, "Tool 'add numbers' not found in registry")],
      'Sorry.<|im_end|>'
    ),
  ]

  it('is classified tool_name_rewritten from the recorded tool use, confirmed by a decoder, counted', () => {
    for (const decoder of [undefined, qwen3]) {
      const result = buildTrajectories(calls('add numbers'), decoder ? { decoder } : {})
      expect(result.divergences[0]).toMatchObject({ callIndex: 1, cause: 'tool_name_rewritten' })
      expect(result.divergences[0]!.detail).toMatch(/"add numbers" to INVALID_TOOL_NAME/)
      expect(result.causeCounts.tool_name_rewritten).toBe(1)
      expect(result.calls[1]!.cause).toBe('tool_name_rewritten')
    }
    const { divergences } = buildTrajectories(calls('add numbers'), { decoder: qwen3 })
    expect(divergences[0]!.window!.received).toContain('INVALID')
  })

  it('is written to and read back from the JSONL', () => {
    const [, second] = parseTitoJsonl(toTitoJsonl(calls('add numbers')))
    expect(second!.checks.prefix).toMatchObject({ relation: 'diverged', cause: 'tool_name_rewritten' })
  })

  it('a valid recorded name keeps tool_call_reserialized; a decoder that sees no rename refutes it', () => {
    expect(buildTrajectories(calls('add')).divergences[0]!.cause).toBe('tool_call_reserialized')
    // Compact JSON under an invalid name: the difference is the JSON, and the decoded prompt has no INVALID_TOOL_NAME.
    const compact = '<tool_call>\n{"name":"add numbers","arguments":{"a":1,"b":2}}\n</tool_call><|im_end|>'
    const other = [
      qwen3Call(0, m1, compact, { finishReason: 'tool_calls', toolUses: [{ id: 'c1', name: 'add numbers' }] }),
      qwen3Call(1, [...m1, ...toolTurn('c1', 'add numbers', args, '3')], 'Three.<|im_end|>'),
    ]
    expect(buildTrajectories(other, { decoder: qwen3 }).divergences[0]!.cause).toBe('tool_call_reserialized')
  })
})
