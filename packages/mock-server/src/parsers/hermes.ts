import { randomUUID } from 'node:crypto'
import { pyJsonDumps } from '../py-json.js'
import { balancedPrefix, isCompleteJson, partialTagOverlap } from './text-scan.js'
import type { ToolCallDelta, ToolExtraction, ToolStreamParser } from './types.js'

const START = '<tool_call>'
const END = '</tool_call>'
const CALLS = /<tool_call>([\s\S]*?)<\/tool_call>|<tool_call>([\s\S]*)/g
const NAME = /"name"\s*:\s*"([^"]+)"/
const ARGUMENTS = /"arguments"\s*:\s*/

/** vLLM's hermes id for a streamed call. */
export const hermesToolCallId = (): string => `chatcmpl-tool-${randomUUID().replaceAll('-', '')}`

/**
 * vLLM's hermes parser on finished text: every `<tool_call>{json}</tool_call>` (the last may be unclosed) must
 * parse as `{"name", "arguments"}`, or none count and the whole text stays content. Arguments are re-dumped.
 */
export function extractHermes(text: string): ToolExtraction | undefined {
  if (!text.includes(START)) return undefined
  const calls: ToolExtraction['calls'] = []
  for (const match of text.matchAll(CALLS)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(match[1] ?? match[2] ?? '')
    } catch {
      return undefined
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
    const { name, arguments: args } = parsed as { name?: unknown; arguments?: unknown }
    if (typeof name !== 'string' || !('arguments' in parsed)) return undefined
    calls.push({ name, arguments: pyJsonDumps(args) })
  }
  const content = text.slice(0, text.indexOf(START))
  return { calls, content: content || null }
}

/**
 * vLLM's streaming hermes parser: re-reads the content so far on every delta. Text before the first
 * `<tool_call>` streams as content (a partial tag held back); a call opens with `{index, type, id, function:
 * {name}}` (no `arguments` key) once its name is complete; the raw argument text then streams verbatim, found by
 * bracket matching, so malformed JSON still streams as a tool call.
 */
export class HermesStream implements ToolStreamParser {
  private sentContent = 0
  private readonly calls: Array<{ named: boolean; sent: string }> = []

  advance(text: string): { content?: string; toolCalls?: ToolCallDelta[] } {
    const out: { content?: string; toolCalls?: ToolCallDelta[] } = {}
    const at = text.indexOf(START)
    const sendable = at < 0 ? text.length - partialTagOverlap(text, START) : at
    if (sendable > this.sentContent) {
      out.content = text.slice(this.sentContent, sendable)
      this.sentContent = sendable
    }
    const deltas: ToolCallDelta[] = []
    for (const [index, [json, complete]] of regions(text).entries()) {
      let call = this.calls[index]
      if (!call) {
        call = { named: false, sent: '' }
        this.calls.push(call)
      }
      if (!call.named) {
        const name = NAME.exec(json)?.[1]
        if (name === undefined) break
        call.named = true
        deltas.push({ index, type: 'function', id: hermesToolCallId(), function: { name } })
      }
      const args = argumentsText(json, complete)
      if (args !== undefined && args.length > call.sent.length) {
        deltas.push({ index, function: { arguments: args.slice(call.sent.length) } })
        call.sent = args
      }
    }
    if (deltas.length > 0) out.toolCalls = deltas
    return out
  }
}

/** `(json text, complete)` per `<tool_call>` region; an unclosed last region loses a partial `</tool_call>`. */
function regions(text: string): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = []
  let pos = 0
  for (;;) {
    const start = text.indexOf(START, pos)
    if (start < 0) return out
    const jsonStart = start + START.length
    const end = text.indexOf(END, jsonStart)
    if (end >= 0) {
      out.push([text.slice(jsonStart, end).trim(), true])
      pos = end + END.length
      continue
    }
    let raw = text.slice(jsonStart)
    const overlap = partialTagOverlap(raw, END)
    if (overlap) raw = raw.slice(0, -overlap)
    const json = raw.trim()
    out.push([json, json ? isCompleteJson(json) : false])
    return out
  }
}

/** The raw `"arguments"` value: bracket-matched for objects and arrays, the trailing `}` stripped for scalars. */
function argumentsText(json: string, complete: boolean): string | undefined {
  const match = ARGUMENTS.exec(json)
  if (!match) return undefined
  let raw = json.slice(match.index + match[0].length)
  if (raw.startsWith('{') || raw.startsWith('[')) return balancedPrefix(raw)
  if (complete) {
    raw = raw.trimEnd()
    if (raw.endsWith('}')) raw = raw.slice(0, -1).trimEnd()
  }
  return raw
}
