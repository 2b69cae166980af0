import { connectOrStartMockVLLM, type VLLMTarget } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createScenarioContext } from '../../scenarios/src/context.js'
import { TRANSPORTS } from '../../scenarios/src/scenario.js'
import { scenarios } from '../../scenarios/src/scenarios.js'

const baseUrl = process.env.VLLM_BASE_URL?.trim()
const SKIP_REASON = 'live vLLM suite skipped: set VLLM_BASE_URL (and VLLM_MODEL_ID) to run it'

/** Optional `VLLM_EOS_TOKEN_IDS=1,2` for non-Qwen models, so the EOS checks run for them too. */
function eosFromEnv(): number[] | undefined {
  const raw = process.env.VLLM_EOS_TOKEN_IDS?.trim()
  if (!raw) return undefined
  const ids = raw.split(',').map((s) => Number(s.trim()))
  if (!ids.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new Error(`VLLM_EOS_TOKEN_IDS must be comma-separated non-negative integers, got "${raw}"`)
  }
  return ids
}

/** Per-request timeout for a real server, from `VLLM_TIMEOUT_MS` (default 180 s). */
function timeoutFromEnv(): number | undefined {
  const raw = process.env.VLLM_TIMEOUT_MS?.trim()
  if (!raw) return undefined
  const ms = Number(raw)
  if (!(Number.isFinite(ms) && ms > 0)) throw new Error(`VLLM_TIMEOUT_MS must be a positive number, got "${raw}"`)
  return ms
}

if (!baseUrl) {
  // Said once on stderr too, so the reason shows with any reporter, not only in verbose test names.
  process.stderr.write(`${SKIP_REASON}\n`)
  it.skip(SKIP_REASON, () => {})
} else {
  describe(`live vLLM scenarios (${baseUrl})`, () => {
    let target: VLLMTarget

    beforeAll(async () => {
      // With VLLM_BASE_URL set this only connects (reading VLLM_MODEL_ID, else the first served model); it never
      // starts a mock.
      target = await connectOrStartMockVLLM()
      if (target.kind !== 'live') throw new Error(`expected a live target, got ${target.description}`)
    })

    afterAll(async () => {
      await target?.close()
    })

    // Every scenario once per transport: SSE (`stream: true`) and one JSON body (`stream: false`).
    for (const transport of TRANSPORTS) {
      for (const scenario of scenarios) {
        const name = `[${transport}] ${scenario.name}`
        if (scenario.mockOnly) {
          it.skip(`${name} (mock only)`, () => {})
          continue
        }
        it(name, async () => {
          const eosTokenIds = eosFromEnv()
          const timeoutMs = timeoutFromEnv()
          await scenario.run(
            createScenarioContext(target, {
              transport,
              ...(eosTokenIds ? { eosTokenIds } : {}),
              ...(timeoutMs ? { timeoutMs } : {}),
            })
          )
        })
      }
    }
  })
}
