import type { WireTool } from '../wire.js'
import { pyJsonDumps } from './py-json.js'
import { skipPySpace } from './py-space.js'
import { convertParamValue } from './schema-value.js'
import {
  type ParsedToolCall,
  TaggedToolCallParser,
  TOOL_CALL_END,
  TOOL_CALL_START,
  type ToolCallFormat,
} from './tagged-tool-call-parser.js'
import type { ParserContext, ResponseParser } from './types.js'

const FUNCTION_OPEN = '<function='
const FUNCTION_END = '</function>'
const PARAM_OPEN = '<parameter='
const PARAM_END = '</parameter>'
/** vLLM rejects such names: an unrendered template (`<function={{ name }}>`) or prose, not a real call. */
const INVALID_NAME = /[{}<>"'\s]/

/**
 * vLLM's `qwen3_coder` tool parser (Qwen3-Coder, Qwen3.5):
 *
 * ```
 * <tool_call>
 * <function=NAME>
 * <parameter=P>
 * VALUE
 * </parameter>
 * </function>
 * </tool_call>
 * ```
 *
 * One newline after `<parameter=P>` and one before `</parameter>` are not part of the value. Values are
 * converted by the tool's JSON-Schema types (see `convertParamValue`) and the arguments are built as
 * `json.dumps(params, ensure_ascii=False)`, exactly the text vLLM sends. Values may contain the format's own
 * tags (code that writes tool calls): a `</parameter>` ends a value only when the next thing after it is
 * another tag of the call, and a `</tool_call>` ends the call only when the call is complete at that point,
 * or when it is followed by the next `<tool_call>` or the end of the output. A missing `</parameter>` is
 * tolerated (the next `<parameter=` of another declared parameter on a new line ends the value).
 * A block without a valid `<function=NAME>` is content.
 */
export function createQwen3CoderToolParser(ctx: ParserContext): ResponseParser {
  return new TaggedToolCallParser(new Qwen3CoderFormat(ctx.tools), ctx)
}

interface FunctionCall {
  name: string
  params: Array<[name: string, value: string]>
}

class Qwen3CoderFormat implements ToolCallFormat {
  private readonly tools: readonly WireTool[]
  /** The last `classifyClose` candidate whose walk was not clean (the walk of a prefix never changes). */
  private uncleanAt = -1

  constructor(tools: readonly WireTool[]) {
    this.tools = tools
  }

  classifyClose(body: string, close: number, final: boolean): 'close' | 'literal' | 'wait' {
    if (close !== this.uncleanAt) {
      if (this.walk(body, close, true)) return 'close'
      this.uncleanAt = close
    }
    const next = skipPySpace(body, close + TOOL_CALL_END.length)
    if (next >= body.length) return final ? 'close' : 'wait'
    const rest = body.slice(next, next + TOOL_CALL_START.length)
    if (rest === TOOL_CALL_START) return 'close'
    return !final && TOOL_CALL_START.startsWith(rest) ? 'wait' : 'literal'
  }

  parseClosed(body: string): ParsedToolCall | undefined {
    this.uncleanAt = -1
    return this.toCall(this.walk(body, body.length, false))
  }

  parseUnclosed(body: string): ParsedToolCall | undefined {
    this.uncleanAt = -1
    // Only a call the output completed up to `</function>`; one cut off mid-parameter is content.
    return this.walk(body, body.length, true) ? this.toCall(this.walk(body, body.length, false)) : undefined
  }

  private toCall(call: FunctionCall | undefined): ParsedToolCall | undefined {
    if (!call) return undefined
    const properties = this.properties(call.name)
    const args = new Map<string, unknown>()
    for (const [name, value] of call.params) {
      args.set(
        name,
        convertParamValue(value, properties && Object.hasOwn(properties, name) ? properties[name] : undefined)
      )
    }
    return { name: call.name, arguments: pyJsonDumps(args) }
  }

  private properties(name: string): Record<string, unknown> | undefined {
    const parameters = this.tools.find((tool) => tool.function.name === name)?.function.parameters
    if (typeof parameters !== 'object' || parameters === null) return undefined
    const properties = (parameters as { properties?: unknown }).properties
    return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : undefined
  }

  /**
   * Reads `body.slice(0, end)` as one function call. `strict`: only a well-formed call that ends with
   * `</function>` and whitespace counts (used to decide whether a `</tool_call>` is structural); otherwise as
   * much as can be read, like vLLM's non-streaming path.
   */
  private walk(body: string, end: number, strict: boolean): FunctionCall | undefined {
    const text = end === body.length ? body : body.slice(0, end)
    const open = strict ? skipPySpace(text, 0) : text.indexOf(FUNCTION_OPEN)
    if (open < 0 || !text.startsWith(FUNCTION_OPEN, open)) return undefined
    const nameEnd = text.indexOf('>', open + FUNCTION_OPEN.length)
    if (nameEnd < 0) return undefined
    const name = text.slice(open + FUNCTION_OPEN.length, nameEnd)
    if (name.length === 0 || INVALID_NAME.test(name)) return undefined
    const declared = this.properties(name)
    const params: FunctionCall['params'] = []
    const seen = new Set<string>()
    let at = nameEnd + 1
    for (;;) {
      const next = skipPySpace(text, at)
      if (text.startsWith(FUNCTION_END, next)) {
        if (strict && skipPySpace(text, next + FUNCTION_END.length) < text.length) return undefined
        return { name, params }
      }
      if (next >= text.length) return strict ? undefined : { name, params }
      let paramStart = next
      if (!text.startsWith(PARAM_OPEN, next)) {
        if (strict) return undefined
        // Stray text between parameters: skip to the next parameter on a new line, or stop.
        paramStart = lineStartTag(text, next, PARAM_OPEN)
        if (paramStart < 0) return { name, params }
      }
      const paramNameEnd = text.indexOf('>', paramStart + PARAM_OPEN.length)
      if (paramNameEnd < 0) return strict ? undefined : { name, params }
      const paramName = text.slice(paramStart + PARAM_OPEN.length, paramNameEnd)
      let valueStart = paramNameEnd + 1
      if (text.charCodeAt(valueStart) === 10) valueStart++
      let valueEnd = structuralParamEnd(text, valueStart, declared)
      if (valueEnd >= 0) {
        at = valueEnd + PARAM_END.length
      } else {
        if (strict) return undefined
        valueEnd = implicitParamEnd(text, valueStart, paramName, seen, declared)
        at = valueEnd
      }
      let value = text.slice(valueStart, valueEnd)
      if (value.endsWith('\n')) value = value.slice(0, -1)
      params.push([paramName, value])
      seen.add(paramName)
    }
  }
}

/**
 * The `</parameter>` that ends the value starting at `from`, or -1. Parameter tags on a new line inside the
 * value open nested pairs (a value holding code that writes this format), whose `</parameter>` is skipped.
 * At depth 0 a `</parameter>` counts when a tag of the call follows it (after whitespace): another
 * `<parameter=` (of a declared parameter, when the tool declares them), `</function>`, `</tool_call>`, or the
 * end of the block.
 */
function structuralParamEnd(text: string, from: number, declared: Record<string, unknown> | undefined): number {
  let depth = 0
  let at = from
  for (;;) {
    const close = text.indexOf(PARAM_END, at)
    if (close < 0) return -1
    const open = lineStartTag(text, at, PARAM_OPEN)
    if (open >= 0 && open < close) {
      depth++
      at = open + PARAM_OPEN.length
      continue
    }
    at = close + PARAM_END.length
    if (depth > 0) {
      depth--
      continue
    }
    const next = skipPySpace(text, at)
    if (
      next >= text.length ||
      text.startsWith(FUNCTION_END, next) ||
      text.startsWith(TOOL_CALL_END, next) ||
      (text.startsWith(PARAM_OPEN, next) && (declared === undefined || Object.hasOwn(declared, paramName(text, next))))
    ) {
      return close
    }
  }
}

/** The name in a `<parameter=NAME>` tag at `at` ('' when the tag is not closed). */
function paramName(text: string, at: number): string {
  const end = text.indexOf('>', at + PARAM_OPEN.length)
  return end < 0 ? '' : text.slice(at + PARAM_OPEN.length, end)
}

/**
 * A value whose `</parameter>` is missing ends at the next `<parameter=` on a new line naming another
 * parameter not seen yet (a declared one, when the tool declares its parameters), else at a `</function>`
 * on a new line, else at the end of the block.
 */
function implicitParamEnd(
  text: string,
  from: number,
  current: string,
  seen: ReadonlySet<string>,
  declared: Record<string, unknown> | undefined
): number {
  let at = from
  for (;;) {
    const start = lineStartTag(text, at, PARAM_OPEN)
    if (start < 0) break
    const nameEnd = text.indexOf('>', start + PARAM_OPEN.length)
    const name = nameEnd < 0 ? '' : text.slice(start + PARAM_OPEN.length, nameEnd)
    if (
      nameEnd >= 0 &&
      name !== current &&
      !seen.has(name) &&
      (declared === undefined || Object.hasOwn(declared, name))
    ) {
      return start
    }
    at = start + 1
  }
  const functionEnd = lineStartTag(text, from, FUNCTION_END)
  return functionEnd >= 0 ? functionEnd : text.length
}

/** The next `tag` at or after `from` that starts a line (or the text), or -1. */
function lineStartTag(text: string, from: number, tag: string): number {
  let at = from
  for (;;) {
    const found = text.indexOf(tag, at)
    if (found < 0) return -1
    if (found === 0 || text.charCodeAt(found - 1) === 10) return found
    at = found + 1
  }
}
