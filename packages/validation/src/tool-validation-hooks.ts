import { BeforeToolCallEvent, type LocalAgent, type Plugin } from '@strands-agents/sdk'
import type { ToolValidationOptions } from './options.js'
import { ToolCallValidator } from './tool-call-validator.js'

/**
 * Strands plugin that checks every tool call before it runs and cancels a bad one with an
 * exact, deterministic error text (the tool result the model reads next), so a rollout keeps
 * going and the policy gets a clean training signal instead of an SDK default message.
 *
 * @example
 * ```ts
 * const agent = new Agent({ model, tools, plugins: [new VLLMToolValidationHooks({ suggestClosestTool: true })] })
 * ```
 */
export class VLLMToolValidationHooks implements Plugin {
  readonly name = 'strands-vllm:tool-validation'
  readonly validator: ToolCallValidator

  constructor(options: ToolValidationOptions = {}) {
    this.validator = new ToolCallValidator(options)
  }

  initAgent(agent: LocalAgent): void {
    agent.addHook(BeforeToolCallEvent, (event) => this.beforeToolCall(event))
  }

  /** Sets `event.cancel` to the error text when the call is invalid; leaves calls another hook cancelled alone. */
  beforeToolCall(event: BeforeToolCallEvent): void {
    if (event.cancel !== false) return
    const { name, input } = event.toolUse
    // The tool the SDK will run: a hook's replacement, else the registry entry for the (possibly renamed) call.
    const tool = event.selectedTool ?? (event.tool?.name === name ? event.tool : event.agent.toolRegistry.get(name))
    const failure = this.validator.validate({
      name,
      input,
      toolSpec: tool?.toolSpec,
      allowedToolNames: tool ? [] : event.agent.toolRegistry.list().map((t) => t.name),
    })
    if (failure) event.cancel = failure.message
  }
}
