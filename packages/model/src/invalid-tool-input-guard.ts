import { BeforeToolCallEvent, type LocalAgent, type Plugin } from '@strands-agents/sdk'
import { getInvalidToolInput, invalidToolInputMessage } from './invalid-tool-input.js'

/**
 * Turns every tool call whose arguments were not valid JSON (input = the invalid-input
 * marker) into an error tool result instead of running the tool, so the rollout goes on
 * and the model learns from the error. `VLLMToolValidationHooks` does the same and more.
 */
export class InvalidToolInputGuard implements Plugin {
  readonly name = 'strands-vllm:invalid-tool-input-guard'

  initAgent(agent: LocalAgent): void {
    agent.addHook(BeforeToolCallEvent, (event) => {
      if (getInvalidToolInput(event.toolUse.input)) event.cancel = invalidToolInputMessage(event.toolUse.name)
    })
  }
}
