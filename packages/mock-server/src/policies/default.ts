import type { Policy, PolicyContext, PolicyOutput, ToolDefinition } from '../types.js'
import { findArithmetic } from './arithmetic.js'
import { applyOptions, firstStringArgument, type PolicyOptions, sampleArguments, shorten } from './options.js'

const GREETINGS = ['Sure.', 'Happy to help.', 'Of course.', 'Got it.']

/**
 * What the server answers with no policy given: a short reply, or a tool call when tools are offered and the
 * question needs one (arithmetic with a calculator-like tool, or a message naming a tool), then a reply that
 * uses the tool's result.
 */
export function defaultPolicy(options: PolicyOptions = {}): Policy {
  return (ctx) => {
    let out: PolicyOutput
    const text = ctx.lastUserText ?? ''
    if (ctx.lastToolResult !== undefined) {
      out = {
        reasoning: 'The tool answered; I will report its result.',
        content: `The tool returned: ${shorten(ctx.lastToolResult.trim(), 200)}`,
      }
    } else {
      const call = ctx.toolChoice === 'none' ? undefined : pickToolCall(ctx, text)
      const greeting = GREETINGS[Math.floor(ctx.rng() * GREETINGS.length)] ?? GREETINGS[0]
      out = call
        ? { reasoning: `The user needs ${call.name}; I'll call it.`, toolCalls: [call] }
        : {
            reasoning: `The user said "${shorten(text, 60)}". A short answer will do.`,
            content: `${greeting} You said: "${shorten(text)}"`,
          }
    }
    return applyOptions(out, ctx, options)
  }
}

function pickToolCall(
  ctx: PolicyContext,
  text: string
): { name: string; arguments: Record<string, unknown> } | undefined {
  const named = typeof ctx.toolChoice === 'object' ? ctx.toolChoice.function.name : undefined
  const expression = findArithmetic(text)
  const lower = text.toLowerCase()
  const mentions = (tool: ToolDefinition): boolean =>
    tool.function.name
      .toLowerCase()
      .split(/[_\-\s.]+/)
      .some((word) => word.length > 2 && lower.includes(word))
  const tool =
    ctx.tools.find((t) => t.function.name === named) ??
    (expression ? ctx.tools.find((t) => /calc|math|arith|eval/i.test(t.function.name)) : undefined) ??
    ctx.tools.find(mentions) ??
    (ctx.toolChoice === 'required' ? ctx.tools[0] : undefined)
  if (!tool) return undefined
  const arg = firstStringArgument(tool)
  if (expression && arg && /calc|math|arith|eval/i.test(tool.function.name)) {
    return { name: tool.function.name, arguments: { [arg]: expression } }
  }
  return { name: tool.function.name, arguments: sampleArguments(tool, text) }
}
