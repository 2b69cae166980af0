import { pyJsonDumps } from './py-json.js'
import type { PolicyToolCall, ToolCallFormat } from './types.js'

/**
 * One tool call as the model writes it. `hermes` (Qwen3): `<tool_call>\n{"name": …, "arguments": …}\n</tool_call>`,
 * object arguments dumped like Python's `json.dumps`, string arguments verbatim (compact or broken JSON).
 * `qwen3_coder` (Qwen3-Coder / Qwen3.5): `<function=NAME>` with one `<parameter=KEY>` block per argument.
 */
export function toolCallText(call: PolicyToolCall, format: ToolCallFormat): string {
  if (format === 'hermes') {
    const args = typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments)
    return `<tool_call>\n{"name": ${JSON.stringify(call.name)}, "arguments": ${args}}\n</tool_call>`
  }
  const args = typeof call.arguments === 'string' ? parseObject(call.arguments) : call.arguments
  if (args === undefined) {
    // Not an object: the model wrote something that is not a parameter list.
    return `<tool_call>\n<function=${call.name}>\n${call.arguments}\n</function>\n</tool_call>`
  }
  const params = Object.entries(args)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<parameter=${key}>\n${parameterText(value)}\n</parameter>\n`)
    .join('')
  return `<tool_call>\n<function=${call.name}>\n${params}</function>\n</tool_call>`
}

/** Strings as they are; everything else as JSON (the Qwen3-Coder template's `tojson` for containers). */
function parameterText(value: unknown): string {
  return typeof value === 'string' ? value : pyJsonDumps(value)
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
