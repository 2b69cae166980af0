import { BeforeModelCallEvent, type LocalAgent, type Plugin } from '@strands-agents/sdk'
import type { Triplet } from '@strands-vllm/agl-store'
import type { VLLMModel } from '@strands-vllm/model'
import type { AgentLightningTriplet } from '@strands-vllm/tito'

/** The parts of a triplet both paths must agree on (`metadata.tito` and `raw_content` exist on one side only). */
export function comparable(t: Triplet | AgentLightningTriplet) {
  return {
    prompt: t.prompt.token_ids,
    response: t.response.token_ids,
    logprobs: t.response.logprobs,
    reward: t.reward,
    responseId: t.metadata.response_id,
    agentName: t.metadata.agent_name,
    request: t.metadata.request,
    responseMeta: t.metadata.response,
  }
}

/** Sends the mock's `x-mock-fault` header on the n-th model call of the agent only (0-based). */
export function faultOnCall(model: VLLMModel, index: number, fault: string): Plugin {
  let calls = 0
  return {
    name: 'test:fault-on-call',
    initAgent(agent: LocalAgent) {
      agent.addHook(BeforeModelCallEvent, () => {
        model.updateConfig({ headers: calls++ === index ? { 'x-mock-fault': fault } : {} })
      })
    },
  }
}
