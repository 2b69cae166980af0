import { randomUUID } from 'node:crypto'
import { pyJsonDumps } from '../py-json.js'
import type { ToolDefinition } from '../types.js'
import { partialTagOverlap } from './text-scan.js'
import type { ToolCallDelta, ToolExtraction, ToolStreamParser } from './types.js'

const START = '<tool_call>'
const END = '</tool_call>'
const FUNCTION = '<function='
const FUNCTION_END = '</function>'
const PARAMETER = '<parameter='
const PARAMETER_END = '</parameter>'

/** vLLM's qwen3_coder id for a streamed call. */
const coderToolCallId = (): string => `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`

/**
 * vLLM's qwen3_coder parser on finished text: each `<tool_call>` holding `<function=NAME>` becomes a call whose
 * `<parameter=KEY>` values are converted by the tool's JSON-Schema types (values that do not convert stay
 * strings), dumped like Python's `json.dumps`. Content is the text before the first such call.
 */
export function extractQwen3Coder(text: string, tools: readonly ToolDefinition[]): ToolExtraction | undefined {
  if (!text.includes(FUNCTION)) return undefined
  const blocks = functionBlocks(text)
  if (blocks.length === 0) return undefined
  const calls = blocks.map(({ name, body }) => {
    const args: Record<string, unknown> = {}
    for (const param of parameters(body, true)) args[param.key] = convertParameter(param.value, param.key, name, tools)
    return { name, arguments: pyJsonDumps(args) }
  })
  let first = -1
  for (let at = text.indexOf(START); at >= 0; at = text.indexOf(START, at + START.length)) {
    const close = text.indexOf(END, at)
    if (text.slice(at, close < 0 ? text.length : close).includes(FUNCTION)) {
      first = at
      break
    }
  }
  if (first < 0) first = text.indexOf(FUNCTION)
  const content = text.slice(0, first)
  return { calls, content: content || null }
}

/**
 * vLLM's streaming qwen3_coder parser: content before the first `<tool_call>` streams as text; a call opens with
 * `{index, id, type, function: {name, arguments: ""}}` once `<function=NAME>` is complete, then `{`, one
 * `"key": value` fragment per finished parameter, and `}` at `</function>`; the fragments concatenate to the
 * non-streaming arguments.
 */
export class Qwen3CoderStream implements ToolStreamParser {
  private sentContent = 0
  private contentDone = false
  private readonly calls: Array<{ params: number; closed: boolean }> = []

  constructor(private readonly tools: readonly ToolDefinition[]) {}

  advance(text: string, finished: boolean): { content?: string; toolCalls?: ToolCallDelta[] } {
    const out: { content?: string; toolCalls?: ToolCallDelta[] } = {}
    if (!this.contentDone) {
      const at = text.indexOf(START)
      const sendable = at < 0 ? text.length - partialTagOverlap(text, START) : at
      if (sendable > this.sentContent) {
        out.content = text.slice(this.sentContent, sendable)
        this.sentContent = sendable
      }
      if (at >= 0) this.contentDone = true
    }
    const deltas: ToolCallDelta[] = []
    let pos = 0
    for (let index = 0; ; index++) {
      const start = text.indexOf(START, pos)
      if (start < 0) break
      const close = text.indexOf(END, start + START.length)
      const region = text.slice(start + START.length, close < 0 ? text.length : close)
      pos = close < 0 ? text.length : close + END.length
      const fn = region.indexOf(FUNCTION)
      const nameEnd = fn < 0 ? -1 : region.indexOf('>', fn + FUNCTION.length)
      if (nameEnd < 0) break
      const name = region.slice(fn + FUNCTION.length, nameEnd)
      let call = this.calls[index]
      if (!call) {
        call = { params: 0, closed: false }
        this.calls.push(call)
        deltas.push({ index, id: coderToolCallId(), type: 'function', function: { name, arguments: '' } })
        deltas.push({ index, function: { arguments: '{' } })
      }
      if (call.closed) continue
      const body = region.slice(nameEnd + 1)
      const ended = body.includes(FUNCTION_END) || close >= 0 || finished
      const done = parameters(body, ended)
      let fragment = ''
      for (const param of done.slice(call.params)) {
        const value = convertParameter(param.value, param.key, name, this.tools)
        fragment += `${call.params > 0 ? ', ' : ''}${JSON.stringify(param.key)}: ${pyJsonDumps(value)}`
        call.params++
      }
      if (ended) {
        fragment += '}'
        call.closed = true
      }
      if (fragment) deltas.push({ index, function: { arguments: fragment } })
    }
    if (deltas.length > 0) out.toolCalls = deltas
    return out
  }
}

/** Every `<function=NAME>…` inside `<tool_call>` blocks (or anywhere, when there is no block). */
function functionBlocks(text: string): Array<{ name: string; body: string }> {
  const regions: string[] = []
  for (const m of text.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>|<tool_call>([\s\S]*?)$/g)) {
    regions.push(m[1] ?? m[2] ?? '')
  }
  if (regions.length === 0) regions.push(text)
  const blocks: Array<{ name: string; body: string }> = []
  for (const region of regions) {
    for (const m of region.matchAll(/<function=([\s\S]*?)<\/function>|<function=([\s\S]*)$/g)) {
      const inner = m[1] ?? m[2] ?? ''
      const nameEnd = inner.indexOf('>')
      if (nameEnd < 0) continue
      blocks.push({ name: inner.slice(0, nameEnd), body: inner.slice(nameEnd + 1) })
    }
  }
  return blocks
}

/**
 * `<parameter=KEY>\nVALUE\n</parameter>` blocks in order; a value also ends at the next `<parameter=` or
 * `</function>`. With `ended` false, the last block counts only once its end has arrived.
 */
function parameters(body: string, ended: boolean): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = []
  let at = body.indexOf(PARAMETER)
  while (at >= 0) {
    const nameEnd = body.indexOf('>', at + PARAMETER.length)
    if (nameEnd < 0) break
    const valueStart = nameEnd + 1
    const endTag = body.indexOf(PARAMETER_END, valueStart)
    const functionEnd = body.indexOf(FUNCTION_END, valueStart)
    const ends = [endTag, body.indexOf(PARAMETER, valueStart), functionEnd].filter((i) => i >= 0)
    const end = ends.length > 0 ? Math.min(...ends) : -1
    if (end < 0 && !ended) break
    let value = body.slice(valueStart, end < 0 ? body.length : end)
    if (value.startsWith('\n')) value = value.slice(1)
    if (value.endsWith('\n')) value = value.slice(0, -1)
    out.push({ key: body.slice(at + PARAMETER.length, nameEnd), value })
    if (end < 0 || end === functionEnd) break
    at = body.indexOf(PARAMETER, end === endTag ? end + PARAMETER_END.length : end)
  }
  return out
}

/** The schema type of a parameter (first non-null `anyOf` type), and whether null is allowed. */
function parameterType(schema: unknown): { type: string; nullable: boolean } {
  if (typeof schema !== 'object' || schema === null) return { type: 'string', nullable: false }
  const s = schema as { type?: unknown; anyOf?: unknown }
  if (s.type !== undefined) {
    const type = String(s.type).trim().toLowerCase()
    return { type, nullable: type === 'null' }
  }
  if (Array.isArray(s.anyOf)) {
    let type: string | undefined
    let nullable = false
    for (const option of s.anyOf) {
      const t = (option as { type?: unknown } | null)?.type
      if (t === undefined) continue
      const name = String(t).trim().toLowerCase()
      if (name === 'null') nullable = true
      else type ??= name
    }
    return { type: type ?? 'string', nullable }
  }
  return { type: 'string', nullable: false }
}

/** vLLM's `_convert_param_value`: by the declared type; what does not convert stays a string. */
export function convertParameter(
  value: string,
  key: string,
  functionName: string,
  tools: readonly ToolDefinition[]
): unknown {
  const tool = tools.find((t) => t.function?.name === functionName)
  const props = (tool?.function.parameters as { properties?: Record<string, unknown> } | undefined)?.properties
  if (!props || !(key in props)) return value
  const { type, nullable } = parameterType(props[key])
  const lower = value.toLowerCase()
  if (nullable && (lower === 'null' || lower === 'none')) return null
  if (['string', 'str', 'text', 'varchar', 'char', 'enum'].includes(type)) return value
  if (lower === 'null' || lower === 'none') return null
  if (/^(int|uint|long|short|unsigned)/.test(type)) return /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value
  if (type.startsWith('num') || type.startsWith('float')) {
    const num = Number(value)
    return value.trim() !== '' && Number.isFinite(num) ? num : value
  }
  if (['boolean', 'bool', 'binary'].includes(type)) return lower === 'true'
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}
