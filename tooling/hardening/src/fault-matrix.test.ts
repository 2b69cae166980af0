import { createServer } from 'node:net'
import { ContextWindowOverflowError, MaxTokensError, ModelThrottledError } from '@strands-agents/sdk'
import { calculatorPolicy, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import {
  VLLMAbortedError,
  VLLMConnectionError,
  VLLMGenerationAbortedError,
  VLLMPauseBudgetExceededError,
  VLLMRequestError,
  VLLMServerError,
  VLLMServerUnavailableError,
  VLLMStreamError,
} from '@strands-vllm/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAULT_CASES, type FaultCase, MODES, type Mode, TRANSPORTS, type Transport } from './fault-cases.js'
import { type RolloutOptions, type RolloutOutcome, runRollout } from './rollout.js'

/**
 * Drives every row of `FAULT_CASES` (rendered in ../README.md) through a real Agent + VLLMModel +
 * VLLMTokenRecorder against the mock vLLM server, with the SDK's retry strategy off and on.
 */

const isError: Record<string, (e: unknown) => boolean> = {
  VLLMStreamError: (e) =>
    VLLMStreamError.isInstance(e) && !VLLMAbortedError.isInstance(e) && !VLLMGenerationAbortedError.isInstance(e),
  VLLMGenerationAbortedError: (e) => VLLMGenerationAbortedError.isInstance(e),
  VLLMPauseBudgetExceededError: (e) => VLLMPauseBudgetExceededError.isInstance(e),
  VLLMAbortedError: (e) => VLLMAbortedError.isInstance(e),
  VLLMRequestError: (e) => VLLMRequestError.isInstance(e),
  VLLMServerError: (e) => VLLMServerError.isInstance(e) && !VLLMServerUnavailableError.isInstance(e),
  VLLMServerUnavailableError: (e) => VLLMServerUnavailableError.isInstance(e),
  VLLMConnectionError: (e) => VLLMConnectionError.isInstance(e),
  ContextWindowOverflowError: (e) => e instanceof ContextWindowOverflowError,
  CancelledError: (e) => e instanceof Error && e.name === 'CancelledError',
  ModelThrottledError: (e) => e instanceof ModelThrottledError,
  MaxTokensError: (e) => e instanceof MaxTokensError,
}

let mock: MockVLLM
let noToolParser: MockVLLM
let closedPort: number

beforeAll(async () => {
  mock = await startMockVLLM({ policy: calculatorPolicy(), seed: 3 })
  noToolParser = await startMockVLLM({ policy: calculatorPolicy(), toolParser: null })
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedPort = (probe.address() as { port: number }).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
afterAll(async () => {
  await mock?.close()
  await noToolParser?.close()
})

let runs = 0

function optionsFor(row: FaultCase, retry: boolean, transport: Transport, mode: Mode, tag: string): RolloutOptions {
  const options: RolloutOptions = {
    baseUrl: mock.baseUrl,
    retry,
    stream: transport === 'stream',
    tokenIn: mode === 'token-in',
    headers: { 'x-rollout': tag },
    deadlineMs: 5_000,
  }
  // A 0–3 ms chunk delay makes the header value this run's own (the mock counts pauses per header value).
  if (row.fault) options.faultOnFirstAttempt = row.perRunHeader ? `${row.fault},slow:${runs++ % 4}` : row.fault
  switch (row.setup) {
    case 'unknown-model':
      options.modelId = 'no-such-model'
      break
    case 'connection-refused':
      options.baseUrl = `http://127.0.0.1:${closedPort}/v1`
      break
    case 'no-tool-parser':
      options.baseUrl = noToolParser.baseUrl
      break
    case 'client-timeout':
      options.timeoutMs = 150
      break
    case 'cancel-mid-stream':
      options.cancelOnFirstDelta = true
      break
    case 'max-tokens':
      options.maxTokens = 5
      break
    case 'pause-budget':
      options.pauseBudgetMs = 1000
      break
  }
  return options
}

/** The generation requests one rollout sent, in order (the mock records every request). */
function requestsOf(tag: string): MockVLLM['requests'] {
  return [...mock.requests, ...noToolParser.requests].filter(
    (r) => (r.path === '/v1/chat/completions' || r.path === '/v1/completions') && r.headers['x-rollout'] === tag
  )
}

const runsOf = FAULT_CASES.flatMap((row) =>
  (row.modes ?? MODES).flatMap((mode) =>
    (row.transports ?? TRANSPORTS).map(
      (transport) => [`${row.name} [${mode === 'chat' ? '' : 'token-in, '}${transport}]`, row, transport, mode] as const
    )
  )
)

describe.each(runsOf)('%s', (name, row, transport, mode) => {
  describe.each([
    ['retry off', false],
    ['retry on', true],
  ] as const)('%s', (label, retry) => {
    const chosen = retry ? row.retryOn : row.retryOff
    const expected = mode === 'token-in' && row.tokenInRecorder ? { ...chosen, recorder: row.tokenInRecorder } : chosen
    const tag = `${name} / ${label}`.replace(/[^\w]+/g, '-')
    let outcome: RolloutOutcome

    beforeAll(async () => {
      outcome = await runRollout(optionsFor(row, retry, transport, mode, tag))
    })

    const check = (_key: 'outcome' | 'error' | 'recorder') => it

    check('outcome')(`agent outcome: ${describeOutcome(expected.outcome)}`, () => {
      expect(outcome.hung, 'the watchdog had to cancel the rollout').toBe(false)
      if ('throws' in expected.outcome) {
        // Our errors extend the SDK's ModelError, so the agent rethrows them as they are.
        const thrown = outcome.error
        const typed = isError[expected.outcome.throws]
        expect(thrown, 'the rollout should have thrown').toBeDefined()
        expect(typed?.(thrown), String(thrown)).toBe(true)
      } else {
        expect(outcome.error).toBeUndefined()
        expect(outcome.result?.stopReason).toBe(expected.outcome.stopReason)
      }
    })

    check('error')(`agent and recorder name the error: ${row.error ?? 'none'}`, () => {
      const first = outcome.recorder.history[0]
      expect(first).toBeDefined()
      if (row.error === null) {
        expect(first?.error).toBeUndefined()
        return
      }
      expect(first?.error?.name).toBe(row.error)
      const thrown = outcome.error
      if (thrown) {
        expect(isError[row.error]?.(thrown), String(thrown)).toBe(true)
        expect(thrown.message.length).toBeGreaterThan(10)
      }
    })

    check('recorder')(`recorder: ${expected.recorder.statuses.join(', ')}`, () => {
      const history = outcome.recorder.history
      expect(history.map((c) => c.status)).toEqual(expected.recorder.statuses)
      const first = history[0]!
      expect(first.status).toBe(row.status)
      for (const code of expected.recorder.reasons ?? []) expect(first.reasons.map((r) => r.code)).toContain(code)
      if (expected.recorder.promptIdsOnly) {
        expect(first.promptTokenIds?.length).toBeGreaterThan(0)
        expect(first.tokenIds ?? []).toEqual([])
      }
      if (expected.recorder.keepsPartialIds) {
        expect(first.promptTokenIds?.length).toBeGreaterThan(0)
        expect(first.tokenIds?.length).toBeGreaterThan(0)
      }
      // Never `exact` for a call whose stream failed (a max_tokens cut is a complete, exact sample).
      for (const call of history)
        if (call.error && call.error.name !== 'MaxTokensError') expect(call.status).not.toBe('exact')
    })

    it('every id recorded is an id the server sent to this rollout', () => {
      const history = outcome.recorder.history
      // Answered requests only: a 429 pause or throttle sends no ids. Each exact call matches the request that
      // produced its prompt (retries after a pause resend the same prompt, so match by prompt, not by position).
      const sent = requestsOf(tag).filter((r) => r.status === 200)
      for (const call of history) {
        if (call.status !== 'exact') continue
        expect(call.mode).toBe(mode)
        const request = sent.find((r) => JSON.stringify(r.promptTokenIds) === JSON.stringify(call.promptTokenIds))
        expect(request, `call ${call.callIndex}: no request of this rollout had its prompt`).toBeDefined()
        expect(call.tokenIds).toEqual(request?.tokenIds)
      }
    })
  })
})

function describeOutcome(outcome: FaultCase['retryOff']['outcome']): string {
  return 'throws' in outcome ? `throws ${outcome.throws}` : `stopReason ${outcome.stopReason}`
}
