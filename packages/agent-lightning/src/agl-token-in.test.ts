import { VLLMTokenInError } from '@strands-vllm/model'
import { buildTrajectories, VLLMTokenRecorder } from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAglModel } from './agl-model.js'
import { type AglStack, rolloutAgent, startAglStack } from './testing/agl-stack.js'

/**
 * Issue 12, item (e): token-in behind Agent Lightning's gateway (the stand-in): the gateway forwards only
 * `/chat/completions` and `/completions` and hides `/tokenize`, so the prompt is rendered by a local tokenizer and
 * sent as ids through the proxy's `/completions`, non-streaming.
 */
let stack: AglStack
beforeAll(async () => {
  stack = await startAglStack()
})
afterAll(async () => {
  await stack?.close()
})

const tokenizer = loadQwen3Tokenizer()

describe('token-in through the gateway', () => {
  it('local tokenizer: ids through /completions, exact records, one trajectory; the gateway captured the same ids', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 12 * 34?' })
    const recorder = new VLLMTokenRecorder({ rolloutId: rollout_id })
    const model = createAglModel(stack.env(rollout_id), {
      maxTokens: 256,
      eosTokenIds: [151645, 151643],
      tokenIn: { tokenizer },
    })
    const result = await rolloutAgent(model, [recorder]).invoke('What is 12 * 34?')
    expect(result.toString()).toContain('408')

    const calls = recorder.history
    expect(calls.map((c) => [c.status, c.mode, c.transport, c.sessionId])).toEqual([
      ['exact', 'token-in', 'json', rollout_id],
      ['exact', 'token-in', 'json', rollout_id],
    ])
    expect(calls.map((c) => [c.tokenIn?.prompt, c.tokenIn?.renderer])).toEqual([
      ['rendered', 'local'],
      ['extended', 'local'],
    ])
    for (const call of calls) expect(call.logprobs).toHaveLength(call.tokenIds!.length)
    const previous = [...calls[0]!.promptTokenIds!, ...calls[0]!.tokenIds!]
    expect(calls[1]!.promptTokenIds!.slice(0, previous.length)).toEqual(previous)

    // Every request went through the proxy's /completions with an id prompt; nothing asked for /tokenize.
    const received = stack.gateway.received.filter((r) => r.rolloutId === rollout_id)
    expect(received.map((r) => [r.upstreamPath, r.status])).toEqual([
      ['completions', 200],
      ['completions', 200],
    ])
    expect(received.map((r) => (r.body as { prompt: number[] }).prompt)).toEqual(calls.map((c) => c.promptTokenIds))
    expect(stack.vllm[0]!.requests.some((q) => q.path === '/tokenize')).toBe(false)
    const captured = stack.gateway.modelRequests(rollout_id)
    const choice = (r: (typeof captured)[number]) =>
      (r.response.choices as Array<{ prompt_token_ids: number[]; token_ids: number[] }>)[0]!
    expect(captured.map((r) => choice(r).prompt_token_ids)).toEqual(calls.map((c) => c.promptTokenIds))
    expect(captured.map((r) => choice(r).token_ids)).toEqual(calls.map((c) => c.tokenIds))
    // What the trainer reads from the gateway is the recorder's sequence.
    const triplets = stack.gateway.tripletEvents(rollout_id)
    expect(triplets.map((t) => (t.data as { prompt_token_ids?: number[] }).prompt_token_ids)).toEqual(
      calls.map((c) => c.promptTokenIds)
    )

    const built = buildTrajectories(calls)
    expect(built.trajectories).toHaveLength(1)
    expect(built.divergences).toEqual([])
  })

  it('without maxTokens: a typed error that says to set it (/v1/completions would stop at 16 tokens)', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 1 + 1?' })
    const model = createAglModel(stack.env(rollout_id), { tokenIn: { tokenizer } })
    let error: unknown
    try {
      await rolloutAgent(model, []).invoke('What is 1 + 1?')
    } catch (e) {
      error = e
    }
    expect(VLLMTokenInError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/set maxTokens/)
    expect(stack.gateway.received.filter((r) => r.rolloutId === rollout_id)).toEqual([])
  })
})
