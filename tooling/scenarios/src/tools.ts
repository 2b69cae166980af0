import { type Agent, InvokeModelStage, type ToolSpec, tool } from '@strands-agents/sdk'
import { evaluateArithmetic } from '@strands-vllm/mock-server'

/** A calculator tool that records every input it ran with and every text it returned. */
export function calculatorTool() {
  const calls: unknown[] = []
  const results: string[] = []
  const calculator = tool({
    name: 'calculator',
    description: 'Evaluate an arithmetic expression such as 17 * 23 and return the number.',
    inputSchema: {
      type: 'object',
      properties: { expression: { type: 'string', description: 'The arithmetic expression, e.g. "17 * 23"' } },
      required: ['expression'],
    },
    callback: (input: unknown) => {
      calls.push(input)
      const expression = (input as { expression?: unknown } | null)?.expression
      const value = typeof expression === 'string' ? evaluateArithmetic(expression) : undefined
      const text =
        value === undefined ? `calculator error: cannot evaluate ${JSON.stringify(expression)}` : `result = ${value}`
      results.push(text)
      return text
    },
  })
  return { calculator, calls, results }
}

export interface CallPlan {
  /** Tool specs to offer in addition to the registered ones (tools the agent cannot run). */
  extraToolSpecs?: ToolSpec[]
  /** Force this tool (named `tool_choice`) on the call. */
  forceTool?: string
  /** Offer no tools at all, so a real model answers in text and the loop ends. */
  noTools?: boolean
}

/**
 * Steers each model call by index (0-based) through the SDK's model-stage input middleware: which tools are
 * offered and whether one is forced. Per call, unlike `params.tool_choice`, which would force every turn.
 */
export function planModelCalls(agent: Agent, plan: (index: number) => CallPlan): void {
  let index = 0
  agent.addMiddleware(InvokeModelStage.Input, (context) => {
    const step = plan(index++)
    const toolSpecs = step.noTools ? [] : [...context.toolSpecs, ...(step.extraToolSpecs ?? [])]
    const { toolChoice: _previous, ...rest } = context
    return {
      ...rest,
      toolSpecs,
      ...(step.forceTool && !step.noTools ? { toolChoice: { tool: { name: step.forceTool } } } : {}),
    }
  })
}
