import { Message, ModelThrottledError, TextBlock } from '@strands-agents/sdk'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fieldsOf } from './__fixtures__/stream-events.js'
import type { VLLMPauseInfo } from './config.js'
import { VLLMAbortedError, VLLMGenerationAbortedError, VLLMPauseBudgetExceededError } from './errors.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

/**
 * Wire faults of current vLLM and of Agent Lightning's gateway (issue 13 items 6–8 and 10, issue 14 pauses),
 * each on both transports where it applies.
 */

const messages = [new Message({ role: 'user', content: [new TextBlock('Tell me a story about a robot.')] })]
const TRANSPORTS = [
  ['stream', true],
  ['json', false],
] as const

async function run(model: VLLMModel, signal?: AbortSignal): Promise<{ events: unknown[]; error?: unknown }> {
  const events: unknown[] = []
  try {
    for await (const event of model.stream(messages, signal ? { cancelSignal: signal } : undefined)) events.push(event)
    return { events }
  } catch (error) {
    return { events, error }
  }
}

const stopReasonOf = (events: unknown[]): string | undefined =>
  (events.find((e) => (e as { type: string }).type === 'modelMessageStopEvent') as { stopReason?: string } | undefined)
    ?.stopReason

describe.each(TRANSPORTS)('wire faults, transport %s', (_transport, stream) => {
  let server: MockVLLM
  const make = (fault: string | undefined, extra: Partial<VLLMModelOptions> = {}): VLLMModel =>
    new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logprobs: true,
      eosTokenIds: [151645, 151643],
      stream,
      ...(fault ? { headers: { 'x-mock-fault': fault } } : {}),
      logger: { warn: () => {}, info: () => {} },
      ...extra,
    } as VLLMModelOptions)

  beforeAll(async () => {
    server = await startMockVLLM({
      policy: () => ({ content: 'Once upon a time there was a small robot who loved to paint the sea.' }),
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it("finish_reason 'abort' → a retryable VLLMGenerationAbortedError with an incomplete partial (item 6)", async () => {
    const { error } = await run(make('finish:abort'))
    expect(VLLMGenerationAbortedError.isInstance(error)).toBe(true)
    const e = error as VLLMGenerationAbortedError
    expect(e.isRetryable).toBe(true)
    expect(e.partial?.tito.status).toBe('incomplete')
    expect(e.partial?.tito.finishReason).toBe('abort')
    expect(e.partial?.tito.reasons.map((r) => r.code)).toContain('finish_abort')
    expect(e.partial?.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
  })

  it("finish_reason 'repetition' → the call completes (endTurn), recorded as repetition, exact, no EOS (item 6)", async () => {
    const { events, error } = await run(make('finish:repetition'))
    expect(error).toBeUndefined()
    expect(stopReasonOf(events)).toBe('endTurn')
    const fields = fieldsOf(events)
    expect(fields.tito.finishReason).toBe('repetition')
    expect(fields.tito.status).toBe('exact')
    expect([151645, 151643]).not.toContain(fields.tokenIds?.at(-1))
    expect(fields.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
  })

  it('a choice index other than 0 is a reason and is never merged (item 8)', async () => {
    const { events, error } = await run(make('choice-index'))
    expect(error).toBeUndefined()
    const fields = fieldsOf(events)
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toContain('choice_index_unexpected')
    const sent = server.requests.at(-1)!
    expect(fields.tokenIds).toEqual(sent.choices?.find((c) => c.index === 0)?.tokenIds ?? sent.tokenIds)
  })

  it('a 429 pause (Retry-After, X-Agl-Paused) is waited out and retried; each wait is visible (issue 14)', async () => {
    const pauses: VLLMPauseInfo[] = []
    const info: string[] = []
    const fault = stream ? 'pause:0.21:2' : 'pause:0.22:2'
    const model = make(fault, {
      pauseRetry: { onPause: (p) => pauses.push(p) },
      logger: { warn: () => {}, info: (m) => info.push(m) },
    })
    const { events, error } = await run(model)
    expect(error).toBeUndefined()
    const fields = fieldsOf(events)
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.pauses).toHaveLength(2)
    for (const p of fields.tito.pauses) {
      expect(p).toMatchObject({ status: 429, retryAfterMs: stream ? 210 : 220, reason: 'weight sync' })
      expect(p.waitedMs).toBeGreaterThanOrEqual(200)
    }
    expect(pauses.map((p) => [p.attempt, p.gatewayPaused, p.reason])).toEqual([
      [1, true, 'weight sync'],
      [2, true, 'weight sync'],
    ])
    expect(info).toHaveLength(2)
    expect(info[0]).toContain('gateway paused (weight sync)')
    const tries = server.requests.filter((r) => r.headers['x-mock-fault'] === fault)
    expect(tries.map((r) => r.status)).toEqual([429, 429, 200])
  })

  it('a pause longer than the budget fails at once with VLLMPauseBudgetExceededError saying so', async () => {
    const { error } = await run(make(stream ? 'pause:5:1' : 'pause:6:1', { pauseRetry: { budgetMs: 1000 } }))
    expect(VLLMPauseBudgetExceededError.isInstance(error)).toBe(true)
    const e = error as VLLMPauseBudgetExceededError
    expect(e.message).toMatch(/pause budget/)
    expect(e.message).toContain('weight sync')
    expect(e.retryAfterMs).toBe(stream ? 5000 : 6000)
    expect(e.budgetMs).toBe(1000)
    expect(e.isRetryable).toBe(true)
  })

  it('the cancel signal ends a pause wait with VLLMAbortedError', async () => {
    const controller = new AbortController()
    const model = make(stream ? 'pause:30:1' : 'pause:31:1', {
      pauseRetry: { onPause: () => setTimeout(() => controller.abort(), 20) },
    })
    const started = Date.now()
    const { error } = await run(model, controller.signal)
    expect(VLLMAbortedError.isInstance(error)).toBe(true)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('a plain 429 without Retry-After stays ModelThrottledError; so does a pause with pauseRetry: false', async () => {
    expect((await run(make('throttle'))).error).toBeInstanceOf(ModelThrottledError)
    const off = await run(make(stream ? 'pause:0.31:1' : 'pause:0.32:1', { pauseRetry: false }))
    expect(off.error).toBeInstanceOf(ModelThrottledError)
    // The gateway's string `error` body is read as a message, not mistaken for vLLM's nested shape.
    expect((off.error as Error).message).toContain('gateway paused (weight sync)')
  })
})

describe('wire faults of the stream only', () => {
  let server: MockVLLM
  const make = (fault: string): VLLMModel =>
    new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logprobs: true,
      eosTokenIds: [151645, 151643],
      headers: { 'x-mock-fault': fault },
    })

  beforeAll(async () => {
    server = await startMockVLLM({
      policy: () => ({ content: 'Once upon a time there was a small robot who loved to paint the sea.' }),
      streamInterval: 2,
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('logprobs misaligned per chunk with equal totals: not exact, and no logprobs paired with ids (item 7)', async () => {
    const { events, error } = await run(make('logprobs-misaligned'))
    expect(error).toBeUndefined()
    const fields = fieldsOf(events)
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toEqual(['logprobs_misaligned'])
    expect(fields.logprobs).toBeUndefined()
    expect(fields.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
  })

  it('bare-CR line endings (valid SSE) are read like LF: exact (item 10)', async () => {
    const { events, error } = await run(make('bare-cr'))
    expect(error).toBeUndefined()
    const fields = fieldsOf(events)
    expect(fields.tito.status).toBe('exact')
    expect(fields.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
  })
})
