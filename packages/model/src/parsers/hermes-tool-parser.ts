import { topLevelValueSpan } from './json-value-span.js'
import { pyStrip } from './py-space.js'
import { type ParsedToolCall, TaggedToolCallParser, type ToolCallFormat } from './tagged-tool-call-parser.js'
import type { ParserContext, ResponseParser } from './types.js'

/**
 * vLLM's `hermes` tool parser (Qwen2.5 / Qwen3): `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`,
 * any number per turn. The arguments are the exact text of the `arguments` value as the model wrote it (vLLM's
 * streaming path does the same; its non-streaming path re-dumps them), so what the agent sees is what was
 * sampled. A block whose JSON does not parse is still a call: its `arguments` are the raw block text, which
 * the model's event mapper turns into the invalid-input marker. Never a crash, never an invented `{}`.
 */
export function createHermesToolParser(ctx: ParserContext): ResponseParser {
  return new TaggedToolCallParser(hermesFormat, ctx)
}

const hermesFormat: ToolCallFormat = {
  // As vLLM: the first `</tool_call>` ends the block (its regex is non-greedy).
  classifyClose: () => 'close',
  parseClosed: (body) => parseHermesCall(body) ?? brokenCall(pyStrip(body)),
  // vLLM also accepts a block the output ended in when its JSON is already complete; a cut-off one is content.
  parseUnclosed: (body) => parseHermesCall(body),
}

function parseHermesCall(body: string): ParsedToolCall | undefined {
  const text = pyStrip(body)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value) || typeof value.name !== 'string') return undefined
  // A call object without `arguments` calls the function with none.
  if (!('arguments' in value)) return { name: value.name, arguments: '{}' }
  const span = topLevelValueSpan(text, 'arguments')
  const raw = span ? text.slice(span[0], span[1]) : JSON.stringify(value.arguments)
  return { name: value.name, arguments: serializedObject(value.arguments) ?? raw }
}

/**
 * Some models (Granite 4, and Qwen on OpenAI-style prompts) write the arguments as a string holding a JSON
 * object. vLLM decodes that string once; any other string stays a JSON string.
 */
function serializedObject(args: unknown): string | undefined {
  if (typeof args !== 'string') return undefined
  try {
    return isRecord(JSON.parse(args)) ? args : undefined
  } catch {
    return undefined
  }
}

/**
 * A closed block that is not a call object: keep it a call (so it fails as one) with the raw text as arguments.
 * An empty block has nothing to call and stays content.
 */
function brokenCall(text: string): ParsedToolCall | undefined {
  if (text.length === 0) return undefined
  const name = /"name"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? ''
  return { name, arguments: text }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
