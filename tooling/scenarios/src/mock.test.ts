import { connectOrStartMockVLLM, type VLLMTarget } from '@strands-vllm/mock-server'
import { afterEach, describe, it } from 'vitest'
import { createScenarioContext } from './context.js'
import { TRANSPORTS } from './scenario.js'
import { scenarios } from './scenarios.js'

/**
 * Every scenario against a fresh in-process mock (never a live server, whatever the environment says), once per
 * transport: SSE (`stream: true`) and one JSON body (`stream: false`).
 */
describe.each(TRANSPORTS)('scenarios against the mock vLLM, transport %s', (transport) => {
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
      await scenario.run(createScenarioContext(target, { transport }))
    })
  }
})
