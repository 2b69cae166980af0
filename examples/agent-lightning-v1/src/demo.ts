import { TITO_CALLS_EVENT } from '@strands-vllm/agent-lightning'
import { runRolloutProcess, startAglGateway } from '@strands-vllm/agl-gateway'
import { calculatorPolicy, startMockVLLM } from '@strands-vllm/mock-server'
import type { TitoJsonlRecord } from '@strands-vllm/tito'

const DEMO_KEY = 'sk-demo-key'

/**
 * What Agent Lightning's local controller and trainer do, in one process: a gateway (the stand-in) in front of a
 * mock vLLM, one queued train rollout, this file spawned as its rollout process with the AGL_* variables, the
 * rollout state from its exit code, then what the trainer reads. Returns the exit code for this process.
 */
export async function runDemo(script: string): Promise<number> {
  console.log(
    'demo: no AGL_* variables, so this starts the Agent Lightning gateway stand-in and a mock vLLM, queues one ' +
      'train rollout and runs this file as its rollout process (what the controller does)'
  )
  const vllm = await startMockVLLM({ policy: calculatorPolicy() })
  const gateway = await startAglGateway({ key: DEMO_KEY, upstreams: [vllm.baseUrl] })
  try {
    const rollout = gateway.createRollout({ question: 'What is 12 * 34?', answer: 408 })
    const rolloutId = rollout.rollout_id
    const result = await runRolloutProcess({
      serverUrl: gateway.url,
      key: DEMO_KEY,
      rolloutId,
      command: process.execPath,
      args: [...process.execArgv, script],
      env: { NO_COLOR: '1' },
      timeoutMs: 120_000,
    })
    for (const line of `${result.stdout}${result.stderr}`.trimEnd().split('\n')) console.log(`  | ${line}`)
    console.log(`rollout ${rolloutId}: ${result.state} (exit ${result.exitCode})`)

    const captured = gateway.modelRequests(rolloutId)
    const own = (gateway.events(rolloutId, { eventType: TITO_CALLS_EVENT })[0]?.data.records ??
      []) as unknown as TitoJsonlRecord[]
    const same =
      own.length === captured.length &&
      captured.every((c, i) => {
        const choice = (c.response.choices as Array<{ token_ids?: number[] }> | undefined)?.[0]
        const rec = own[i]?.tokens
        return (
          JSON.stringify(c.response.prompt_token_ids) === JSON.stringify(rec?.prompt_ids) &&
          JSON.stringify(choice?.token_ids) === JSON.stringify(rec?.completion_ids)
        )
      })
    console.log(
      `model calls captured by the gateway: ${captured.length} (ids equal the rollout's own records: ${same ? 'yes' : 'NO'})`
    )
    const reward = gateway.events(rolloutId, { eventType: 'reward' }).at(-1)?.data
    console.log(`reward event: ${reward?.value ?? 'none'} (${reward?.source ?? '-'}: ${reward?.reason ?? '-'})`)
    const triplets = gateway.tripletEvents(rolloutId).filter((e) => e.event_type === 'model_request')
    for (const [i, t] of triplets.entries()) {
      const data = t.data as {
        prompt_token_ids: number[]
        response_token_ids: number[]
        response_log_probs: number[] | null
      }
      console.log(
        `triplet ${i}: prompt ${data.prompt_token_ids.length} ids, response ${data.response_token_ids.length} ids, ` +
          `logprobs ${data.response_log_probs ? data.response_log_probs.length : 'none'}`
      )
    }
    return result.state === 'succeeded' && same ? 0 : 1
  } finally {
    await gateway.close()
    await vllm.close()
  }
}
