import type { PolicyContext, PolicyOutput, ToolCallFormat, ToolDefinition } from '../types.js'

/** Knobs every shipped policy takes, to make drift observable on purpose. */
export interface PolicyOptions {
  /** Emit these words with non-canonical pieces (see {@link PolicyOutput.nonCanonical}). */
  nonCanonical?: Record<string, string[]>
  /** Emit tool arguments as compact JSON (`{"a":1}`), which the template re-renders as `{"a": 1}`. */
  compactToolJson?: boolean
  /** Think (`<think>…</think>`) when the request allows it. Default true. */
  think?: boolean
  /** Write tool calls as hermes JSON or Qwen3-Coder XML. Default: the server's `toolFormat`. */
  toolFormat?: ToolCallFormat
}

/** Apply {@link PolicyOptions} to a policy's output. */
export function applyOptions(output: PolicyOutput, ctx: PolicyContext, options: PolicyOptions): PolicyOutput {
  const out: PolicyOutput = { ...output }
  if (options.think === false || !ctx.thinking) delete out.reasoning
  if (options.compactToolJson && out.toolCalls) {
    out.toolCalls = out.toolCalls.map((call) =>
      typeof call.arguments === 'string' ? call : { ...call, arguments: JSON.stringify(call.arguments) }
    )
  }
  if (options.nonCanonical) out.nonCanonical = { ...options.nonCanonical, ...out.nonCanonical }
  if (options.toolFormat && out.toolFormat === undefined) out.toolFormat = options.toolFormat
  return out
}

/** The offered tool with this name, if any. */
export function findTool(ctx: PolicyContext, name: string): ToolDefinition | undefined {
  return ctx.tools.find((t) => t.function?.name === name)
}

/** Arguments that satisfy a tool's JSON schema well enough for a mock call: required fields filled by type. */
export function sampleArguments(tool: ToolDefinition, text: string): Record<string, unknown> {
  const schema = tool.function.parameters as
    | { properties?: Record<string, { type?: unknown; enum?: unknown[] }>; required?: string[] }
    | undefined
  const props = schema?.properties ?? {}
  const args: Record<string, unknown> = {}
  for (const key of schema?.required ?? Object.keys(props).slice(0, 1)) {
    const prop = props[key] ?? {}
    if (Array.isArray(prop.enum) && prop.enum.length > 0) args[key] = prop.enum[0]
    else if (prop.type === 'number' || prop.type === 'integer') args[key] = 1
    else if (prop.type === 'boolean') args[key] = true
    else if (prop.type === 'array') args[key] = []
    else if (prop.type === 'object') args[key] = {}
    else args[key] = text
  }
  return args
}

/** The first required string property of a tool's schema (where a calculator takes its expression). */
export function firstStringArgument(tool: ToolDefinition | undefined): string | undefined {
  const schema = tool?.function.parameters as
    | { properties?: Record<string, { type?: unknown }>; required?: string[] }
    | undefined
  const props = schema?.properties ?? {}
  const keys = [...(schema?.required ?? []), ...Object.keys(props)]
  return keys.find((k) => props[k]?.type === 'string')
}

export const shorten = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
