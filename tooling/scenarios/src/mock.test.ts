import { connectOrStartMockVLLM, type VLLMTarget } from '@strands-vllm/mock-server'
import { afterEach, describe, it } from 'vitest'
import { createScenarioContext } from './context.js'
import { scenarios } from './scenarios.js'

/** Every scenario against a fresh in-process mock (never a live server, whatever the environment says). */
describe('scenarios against the mock vLLM', () => {
  let target: VLLMTarget | undefined

  afterEach(async () => {
    await target?.close()
    target = undefined
  })

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      target = await connectOrStartMockVLLM({
        env: {},
        ...(scenario.mockPolicy ? { policy: scenario.mockPolicy } : {}),
      })
      await scenario.run(createScenarioContext(target))
    })
  }
})
