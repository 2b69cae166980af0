import { VLLMPauseBudgetExceededError, VLLMRequestError } from '@strands-vllm/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeAglFailure } from './describe-failure.js'
import { AglAuthError, AglEnvError, AglNotFoundError } from './errors.js'
import { AGL_EXIT_CODES } from './exit-codes.js'
import { type AglRolloutContext, runAglRollout, TITO_CALLS_EVENT } from './run-agl-rollout.js'
import { type AglStack, rolloutAgent, startAglStack, TEST_KEY } from './testing/agl-stack.js'

let stack: AglStack

beforeAll(async () => {
  stack = await startAglStack()
})
afterAll(async () => {
  await stack?.close()
})

function capture() {
  const lines: string[] = []
  return { lines, logger: { info: (m: string) => lines.push(m), error: (m: string) => lines.push(`ERROR ${m}`) } }
}

/** The calculator rollout: answer, reward 1 when the answer is right, post the recorder's calls. */
async function solve(rollout: AglRolloutContext): Promise<void> {
  const task = rollout.input as { question: string; answer: number }
  const recorder = rollout.createRecorder()
  const agent = rolloutAgent(rollout.createModel({ maxTokens: 256 }), [recorder])
  const result = await agent.invoke(task.question, { cancelSignal: rollout.signal })
  const right = result.toString().includes(String(task.answer))
  await rollout.reward(right ? 1 : 0, { source: 'exact-match', reason: right ? 'correct' : 'wrong' })
  await rollout.emitCalls(recorder.history)
}

describe('runAglRollout', () => {
  it('succeeds with exit 0: input fetched, reward and the recorder’s calls posted, the key never logged', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 12 * 34?', answer: 408 })
    const { lines, logger } = capture()
    const outcome = await runAglRollout(solve, { env: stack.gateway.rolloutEnv(rollout_id), exit: false, logger })
    expect(outcome).toMatchObject({ state: 'succeeded', exitCode: 0, rewards: [1], message: null })
    const [reward] = stack.gateway.events(rollout_id, { eventType: 'reward' })
    expect(reward?.data).toEqual({ value: 1, source: 'exact-match', reason: 'correct' })
    const [calls] = stack.gateway.events(rollout_id, { eventType: TITO_CALLS_EVENT })
    const records = (calls?.data.records ?? []) as Array<{ tokens: { prompt_ids: number[]; completion_ids: number[] } }>
    const captured = stack.gateway.modelRequests(rollout_id)
    expect(records.map((r) => r.tokens.prompt_ids)).toEqual(captured.map((c) => c.response.prompt_token_ids))
    expect(records.map((r) => r.tokens.completion_ids)).toEqual(
      captured.map((c) => (c.response.choices as Array<{ token_ids: number[] }>)[0]!.token_ids)
    )
    expect(lines[0]).toBe(`[agl] rollout ${rollout_id} attempt 0 (train) started`)
    expect(lines.at(-1)).toMatch(/succeeded in \d+\.\d s \(exit 0\)$/)
    expect(lines.join('\n')).not.toContain(TEST_KEY)
  })

  it('a rollout that throws fails with exit 1, logs one line saying why, and posts a rollout_error event', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'x' })
    const { lines, logger } = capture()
    const outcome = await runAglRollout(
      () => {
        throw new TypeError('the environment crashed')
      },
      { env: stack.gateway.rolloutEnv(rollout_id), exit: false, logger }
    )
    expect(outcome).toMatchObject({ state: 'failed', exitCode: AGL_EXIT_CODES.failed })
    expect(lines.at(-1)).toBe(
      `ERROR [agl] rollout ${rollout_id} attempt 0 (train) failed (exit 1): TypeError: the environment crashed`
    )
    expect(stack.gateway.events(rollout_id, { eventType: 'rollout_error' }).map((e) => e.data)).toEqual([
      { exit_code: 1, message: 'TypeError: the environment crashed' },
    ])
  })

  it('says which variable is missing and what sets it (exit 2), without calling anything', async () => {
    const { lines, logger } = capture()
    let called = false
    const outcome = await runAglRollout(
      () => {
        called = true
      },
      { env: {}, exit: false, logger }
    )
    expect(called).toBe(false)
    expect(outcome.exitCode).toBe(AGL_EXIT_CODES.misconfigured)
    expect(AglEnvError.isInstance(outcome.error)).toBe(true)
    expect(lines.at(-1)).toMatch(
      /^ERROR \[agl\] failed \(exit 2\): AglEnvError: AGL_OPENAI_BASE_URL is not set: Agent Lightning's rollout controller sets/
    )
  })

  it('401: names AGL_KEY (never its value) and exits 2', async () => {
    const { rollout_id } = stack.gateway.createRollout({})
    const wrong = 'sk-wrong-key-0000'
    const { lines, logger } = capture()
    const outcome = await runAglRollout(() => undefined, {
      env: { ...stack.gateway.rolloutEnv(rollout_id), AGL_KEY: wrong },
      exit: false,
      logger,
    })
    expect(outcome.exitCode).toBe(2)
    expect(AglAuthError.isInstance(outcome.error)).toBe(true)
    expect(outcome.message).toContain(
      `refused GET /api/rollouts/${rollout_id} with 401 (Invalid or missing API key): AGL_KEY is set; it must equal the server's key`
    )
    const all = `${lines.join('\n')}\n${outcome.message}\n${(outcome.error as Error).stack}`
    expect(all).not.toContain(wrong)
    expect(all).not.toContain(TEST_KEY)
    // No event is attempted with a refused key.
    expect(stack.gateway.events(rollout_id)).toEqual([])
  })

  it('404: an unknown rollout says what to check and exits 2', async () => {
    const outcome = await runAglRollout(() => undefined, {
      env: stack.gateway.rolloutEnv('ro-gone'),
      exit: false,
      logger: capture().logger,
    })
    expect(outcome.exitCode).toBe(2)
    expect(AglNotFoundError.isInstance(outcome.error)).toBe(true)
    expect(outcome.message).toContain('answered 404 for GET /api/rollouts/ro-gone (Rollout not found: ro-gone)')
    expect(outcome.message).toContain('a restart or a DELETE forgets them')
  })

  it('an input that does not fit parseInput fails with exit 2 before the rollout runs', async () => {
    const { rollout_id } = stack.gateway.createRollout({ prompt: 'no question here' })
    const outcome = await runAglRollout<{ question: string }>(() => undefined, {
      env: stack.gateway.rolloutEnv(rollout_id),
      exit: false,
      logger: capture().logger,
      parseInput: (input) => {
        const question = (input as { question?: unknown }).question
        if (typeof question !== 'string') throw new Error('input.question must be a string')
        return { question }
      },
    })
    expect(outcome.exitCode).toBe(2)
    expect(outcome.message).toBe(
      "AglConfigError: the rollout's input does not fit this rollout process: input.question must be a string"
    )
  })
})

describe('pauses (weight syncs) in a rollout', () => {
  it('rides out a pause of a couple of seconds: the rollout succeeds, the wait is on the call’s record', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 9 * 9?', answer: 81 })
    stack.gateway.pause({ retryAfterSeconds: 1, reason: 'weight sync' })
    const resume = setTimeout(() => stack.gateway.resume(), 1500)
    let history: readonly import('@strands-vllm/tito').TitoCallRecord[] = []
    const outcome = await runAglRollout(
      async (rollout) => {
        const recorder = rollout.createRecorder()
        await rolloutAgent(rollout.createModel({ maxTokens: 256 }), [recorder]).invoke('What is 9 * 9?')
        history = recorder.history
        await rollout.reward(1)
      },
      { env: stack.gateway.rolloutEnv(rollout_id), exit: false, logger: capture().logger }
    )
    clearTimeout(resume)
    expect(outcome.exitCode).toBe(0)
    expect(history.map((c) => c.status)).toEqual(['exact', 'exact'])
    const pauses = history[0]!.pauses ?? []
    expect(pauses.length).toBeGreaterThanOrEqual(1)
    expect(pauses[0]).toMatchObject({ status: 429, retryAfterMs: 1000, reason: 'weight sync' })
    const paused = stack.gateway.received.filter((r) => r.rolloutId === rollout_id && r.status === 429)
    expect(paused.length).toBe(pauses.length)
  })

  it('a pause longer than the budget fails with the typed error that says so, and exit 3', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'What is 2 + 2?', answer: 4 })
    stack.gateway.pause({ retryAfterSeconds: 30, reason: 'weight sync' })
    try {
      const outcome = await runAglRollout(
        async (rollout) => {
          await rolloutAgent(rollout.createModel({ pauseRetry: { budgetMs: 2000 } }), []).invoke('What is 2 + 2?')
        },
        { env: stack.gateway.rolloutEnv(rollout_id), exit: false, logger: capture().logger }
      )
      expect(outcome.exitCode).toBe(AGL_EXIT_CODES.pausedTooLong)
      expect(VLLMPauseBudgetExceededError.isInstance(outcome.error)).toBe(true)
      expect(outcome.message).toMatch(
        /^VLLMPauseBudgetExceededError: vLLM \(or its gateway\) is paused \(429, Retry-After 30 s: weight sync\) for longer than the pause budget allows/
      )
      expect(stack.gateway.events(rollout_id, { eventType: 'rollout_error' })[0]?.data.exit_code).toBe(3)
    } finally {
      stack.gateway.resume()
    }
  })
})

describe('describeAglFailure', () => {
  it('gives model errors from the gateway their gateway meaning', () => {
    const env = { key: TEST_KEY, keySet: true }
    const unauthorized = new VLLMRequestError('vLLM rejected the request (401): Invalid or missing API key', {
      status: 401,
    })
    expect(describeAglFailure(unauthorized, env)).toContain(
      "the gateway refused the key: AGL_KEY is set; it must equal the server's agl_server.key"
    )
    const missing = new VLLMRequestError('vLLM rejected the request (404): Rollout not found: r', { status: 404 })
    expect(describeAglFailure(missing, env)).toContain('check AGL_OPENAI_BASE_URL')
    expect(describeAglFailure(new Error(`boom ${TEST_KEY}`), env)).toBe('Error: boom [redacted]')
  })
})
