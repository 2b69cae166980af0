import type { Policy, PolicyOutput } from '../types.js'
import { evaluateArithmetic, findArithmetic } from './arithmetic.js'
import { applyOptions, findTool, firstStringArgument, type PolicyOptions } from './options.js'

export interface CalculatorPolicyOptions extends PolicyOptions {
  /** Name of the tool to call. Default `calculator`. */
  toolName?: string
  /** Argument that receives the expression. Default: the tool's first string parameter, else `expression`. */
  argumentName?: string
}

/**
 * The demo agent's "model": asks the calculator tool for arithmetic it sees in the user's message, then
 * answers with the tool's result. Without the tool offered it answers directly.
 */
export function calculatorPolicy(options: CalculatorPolicyOptions = {}): Policy {
  const toolName = options.toolName ?? 'calculator'
  return (ctx) => {
    let out: PolicyOutput
    const expression = findArithmetic(ctx.lastUserText)
    const tool = findTool(ctx, toolName)
    if (ctx.lastToolResult !== undefined) {
      const result = ctx.lastToolResult.trim()
      out = {
        reasoning: `The ${toolName} tool returned ${result}, so that is the answer.`,
        content: expression ? `${expression} = ${result}` : `The result is ${result}.`,
      }
    } else if (expression && tool) {
      const arg = options.argumentName ?? firstStringArgument(tool) ?? 'expression'
      out = {
        reasoning: `The user wants ${expression}. I'll use the ${toolName} tool.`,
        toolCalls: [{ name: toolName, arguments: { [arg]: expression } }],
      }
    } else if (expression) {
      const value = evaluateArithmetic(expression)
      out = { reasoning: `Computing ${expression} directly.`, content: `${expression} = ${value}` }
    } else {
      out = {
        reasoning: 'No arithmetic in the question.',
        content: 'I am a calculator assistant. Ask me to compute something, like 12 * 7.',
      }
    }
    return applyOptions(out, ctx, options)
  }
}
