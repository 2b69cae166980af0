import fc from 'fast-check'
import { expect } from 'vitest'
import type { WireDelta, WireTool } from '../../wire.js'
import { createResponseParser, type ResponseParserOptions } from '../create-response-parser.js'
import type { ParserContext, ResponseParser } from '../types.js'

/** One case: raw completion text and what vLLM's chat endpoint makes of it. */
export interface ParserFixture {
  /** Our wording of the case. */
  name: string
  /** Where the case comes from (a vLLM test, or `own` for cases we added). */
  source: string
  parsers: ResponseParserOptions
  thinking?: boolean
  /** `ParserContext.promptEndsInThink` (token-in knows its prompt); default unknown. */
  promptEndsInThink?: boolean
  tools?: WireTool[]
  output: string
  expected: {
    reasoning?: string | null
    content?: string | null
    /** `arguments`: a string must match exactly; an object is compared after `JSON.parse`. */
    calls?: Array<{ name: string; arguments: string | Record<string, unknown> | unknown[] }>
  }
}

export interface Outcome {
  reasoning: string | null
  content: string | null
  calls: Array<{ index: number; name: string; arguments: string }>
  /** What a client sees in order, adjacent text of one kind merged: `reasoning`, `content`, `tool`. */
  order: string[]
  ids: string[]
}

export const DEFAULT_TOOLS: WireTool[] = [{ type: 'function', function: { name: 'any', description: '' } }]

export function fixtureParser(fixture: ParserFixture): ResponseParser {
  const ctx: ParserContext = {
    tools: fixture.tools ?? DEFAULT_TOOLS,
    thinking: fixture.thinking ?? true,
    promptEndsInThink: fixture.promptEndsInThink,
  }
  return createResponseParser(fixture.parsers, ctx)
}

/** Feeds `pieces` one by one, then finishes; checks each delta's shape on the way. */
export function run(parser: ResponseParser, pieces: readonly string[]): Outcome {
  const deltas: WireDelta[] = []
  for (const piece of pieces) deltas.push(...parser.push(piece))
  deltas.push(...parser.finish())
  return outcome(deltas)
}

export function outcome(deltas: readonly WireDelta[]): Outcome {
  let reasoning: string | null = null
  let content: string | null = null
  const calls: Outcome['calls'] = []
  const ids: string[] = []
  const order: string[] = []
  for (const delta of deltas) {
    const keys = Object.keys(delta)
    expect(keys, 'one kind per delta').toHaveLength(1)
    if (typeof delta.reasoning === 'string') {
      expect(delta.reasoning.length).toBeGreaterThan(0)
      reasoning = (reasoning ?? '') + delta.reasoning
      if (order.at(-1) !== 'reasoning') order.push('reasoning')
    } else if (typeof delta.content === 'string') {
      expect(delta.content.length).toBeGreaterThan(0)
      content = (content ?? '') + delta.content
      if (order.at(-1) !== 'content') order.push('content')
    } else {
      expect(delta.tool_calls).toHaveLength(1)
      const call = delta.tool_calls![0]!
      expect(Object.keys(call).sort()).toEqual(['function', 'id', 'index', 'type'])
      expect(call.type).toBe('function')
      expect(Object.keys(call.function!).sort()).toEqual(['arguments', 'name'])
      calls.push({ index: call.index!, name: call.function!.name!, arguments: call.function!.arguments! })
      ids.push(call.id!)
      order.push('tool')
    }
  }
  return { reasoning, content, calls, order, ids }
}

/** The outcome without ids (random per run). */
export function comparable(o: Outcome): Omit<Outcome, 'ids'> {
  const { ids: _ids, ...rest } = o
  return rest
}

export function expectExpected(o: Outcome, fixture: ParserFixture): void {
  const { expected } = fixture
  if (expected.reasoning !== undefined) expect(o.reasoning).toBe(expected.reasoning)
  if (expected.content !== undefined) expect(o.content).toBe(expected.content)
  const calls = expected.calls ?? []
  expect(o.calls.map((c) => c.name)).toEqual(calls.map((c) => c.name))
  calls.forEach((call, i) => {
    const actual = o.calls[i]!
    expect(actual.index).toBe(i)
    if (typeof call.arguments === 'string') expect(actual.arguments).toBe(call.arguments)
    else expect(JSON.parse(actual.arguments)).toEqual(call.arguments)
  })
  for (const id of o.ids) expect(id).toMatch(/^chatcmpl-tool-[0-9a-f]{32}$/)
  expect(new Set(o.ids).size).toBe(o.ids.length)
}

/** Whole, split at every position, one character at a time, and random splits: identical outcomes. */
export function checkFixture(fixture: ParserFixture): void {
  const text = fixture.output
  const whole = run(fixtureParser(fixture), [text])
  expectExpected(whole, fixture)
  const reference = comparable(whole)
  for (let i = 0; i <= text.length; i++) {
    const split = run(fixtureParser(fixture), [text.slice(0, i), text.slice(i)])
    expect(comparable(split), `split at ${i}`).toEqual(reference)
  }
  expect(comparable(run(fixtureParser(fixture), [...text])), 'one character at a time').toEqual(reference)
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat({ max: text.length }), { maxLength: 12 }), (cuts) => {
      const pieces = splitAt(text, cuts)
      expect(comparable(run(fixtureParser(fixture), pieces))).toEqual(reference)
    }),
    { numRuns: 60 }
  )
}

export function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b)
  const pieces: string[] = []
  for (let i = 1; i < points.length; i++) pieces.push(text.slice(points[i - 1], points[i]))
  return pieces
}
