import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TITO_CALLS_EVENT } from '@strands-vllm/agent-lightning'
import {
  type AglGateway,
  type RolloutProcessResult,
  runRolloutProcess,
  startAglGateway,
} from '@strands-vllm/agl-gateway'
import { calculatorPolicy, type MockVLLM, type Policy, startMockVLLM } from '@strands-vllm/mock-server'
import type { TitoJsonlRecord } from '@strands-vllm/tito'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The example as Agent Lightning runs it: a separate process per rollout, started by the controller stand-in
 * with the AGL_* variables, its exit code turned into the rollout state. Children run from source (the workspace
 * packages through tsconfig paths, like the tests' vitest aliases), so no build is needed.
 */
const root = join(import.meta.dirname, '..')
const main = join(root, 'src', 'main.ts')
const tsconfig = join(root, 'tsconfig.source.json')
const KEY = 'sk-example-rollouts-91b2'

let replicas: MockVLLM[]
let gateway: AglGateway
/** Called on every generation request the mocks serve (to pause the gateway mid-rollout, or hold a call). */
let onGenerate: (() => void | Promise<void>) | undefined

beforeAll(async () => {
  const base = calculatorPolicy()
  const policy: Policy = async (ctx) => {
    await onGenerate?.()
    return base(ctx)
  }
  replicas = await Promise.all([startMockVLLM({ policy }), startMockVLLM({ policy })])
  gateway = await startAglGateway({ key: KEY, upstreams: replicas.map((r) => r.baseUrl), retry: { baseDelayMs: 1 } })
})
afterAll(async () => {
  await gateway?.close()
  await Promise.all((replicas ?? []).map((r) => r.close()))
})

function runRollout(rolloutId: string, env: Record<string, string> = {}): Promise<RolloutProcessResult> {
  return runRolloutProcess({
    serverUrl: gateway.url,
    key: KEY,
    rolloutId,
    command: process.execPath,
    args: ['--import', 'tsx', main],
    cwd: root,
    env: { TSX_TSCONFIG_PATH: tsconfig, NO_COLOR: '1', ...env },
    timeoutMs: 120_000,
  })
}

/** What the rollout posted about its own calls (`tito_calls`). */
function ownRecords(rolloutId: string): TitoJsonlRecord[] {
  const [event] = gateway.events(rolloutId, { eventType: TITO_CALLS_EVENT })
  return (event?.data.records ?? []) as unknown as TitoJsonlRecord[]
}

/** The ids the gateway stored for each call of the rollout (what the trainer trains on). */
function capturedIds(rolloutId: string) {
  return gateway.modelRequests(rolloutId).map((r) => ({
    prompt: r.response.prompt_token_ids,
    response: (r.response.choices as Array<{ token_ids: number[] }>)[0]!.token_ids,
  }))
}

function expectOwnIdsEqualGateway(rolloutId: string, calls: number): TitoJsonlRecord[] {
  const records = ownRecords(rolloutId)
  expect(records).toHaveLength(calls)
  expect(records.map((r) => r.checks.tito_status)).toEqual(Array(calls).fill('exact'))
  expect(records.map((r) => ({ prompt: r.tokens.prompt_ids, response: r.tokens.completion_ids }))).toEqual(
    capturedIds(rolloutId)
  )
  return records
}

describe('the agent-lightning-v1 example under the controller', () => {
  it('train: the rollout succeeds (exit 0); every call’s ids as the gateway captured them are the recorder’s; reward 1 arrives', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 12 * 34?', answer: 408 })
    const result = await runRollout(rollout_id)
    expect(result, result.stderr).toMatchObject({ state: 'succeeded', exitCode: 0 })
    expect(gateway.getRollout(rollout_id)?.status.state).toBe('succeeded')
    const records = expectOwnIdsEqualGateway(rollout_id, 2)
    for (const r of records) {
      expect(r.request).toMatchObject({ mode: 'chat', transport: 'json' })
      expect(r.session_id).toBe(rollout_id)
      expect(r.tokens.completion_logprobs).toHaveLength(r.tokens.completion_ids!.length)
    }
    // What the trainer reads (`?format=triplet`): the same ids, and the recorder's logprobs.
    const triplets = gateway.tripletEvents(rollout_id).filter((e) => e.event_type === 'model_request')
    expect(triplets.map((t) => t.data)).toEqual(
      records.map((r) =>
        expect.objectContaining({
          prompt_token_ids: r.tokens.prompt_ids,
          response_token_ids: r.tokens.completion_ids,
          response_log_probs: r.tokens.completion_logprobs,
        })
      )
    )
    expect(gateway.events(rollout_id, { eventType: 'reward' }).map((e) => e.data)).toEqual([
      { value: 1, source: 'exact-match', reason: '408 is the expected answer' },
    ])
    expect(result.stderr).toContain(`[agl] rollout ${rollout_id} attempt 0 (train) succeeded`)
    expect(`${result.stdout}${result.stderr}`).not.toContain(KEY)
  })

  it('val: succeeds without logprobs; the gateway forwards no logprobs and the val temperature', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 7 * 6?', answer: 42 }, { is_train: false })
    const result = await runRollout(rollout_id)
    expect(result, result.stderr).toMatchObject({ state: 'succeeded', exitCode: 0 })
    const records = expectOwnIdsEqualGateway(rollout_id, 2)
    expect(records.every((r) => r.tokens.completion_logprobs === null)).toBe(true)
    for (const request of gateway.modelRequests(rollout_id)) {
      expect(request.request.logprobs).toBeUndefined()
      expect(request.request.temperature).toBe(0.7)
    }
    expect(gateway.events(rollout_id, { eventType: 'reward' })[0]?.data.value).toBe(1)
  })

  it('a wrong answer is still a succeeded rollout, with reward 0', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 2 + 2?', answer: 5 })
    const result = await runRollout(rollout_id)
    expect(result.state).toBe('succeeded')
    expect(gateway.events(rollout_id, { eventType: 'reward' })[0]?.data).toEqual({
      value: 0,
      source: 'exact-match',
      reason: '4, expected 5',
    })
  })

  it('a pause of a few seconds mid-rollout (weight sync) is ridden out: the rollout completes with exact records', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 21 * 2?', answer: 42 })
    let resume: NodeJS.Timeout | undefined
    onGenerate = () => {
      // The first call is being generated: pause now, so the next call of the rollout meets the pause.
      onGenerate = undefined
      gateway.pause({ retryAfterSeconds: 1, reason: 'weight sync' })
      resume = setTimeout(() => gateway.resume(), 3000)
    }
    try {
      const result = await runRollout(rollout_id)
      expect(result, result.stderr).toMatchObject({ state: 'succeeded', exitCode: 0 })
      const records = expectOwnIdsEqualGateway(rollout_id, 2)
      expect(records[0]!.response.pauses ?? []).toEqual([])
      const pauses = records[1]!.response.pauses ?? []
      expect(pauses.length).toBeGreaterThanOrEqual(2)
      expect(pauses.every((p) => p.status === 429 && p.retry_after_ms === 1000 && p.reason === 'weight sync')).toBe(
        true
      )
      const refused = gateway.received.filter((r) => r.rolloutId === rollout_id && r.status === 429)
      expect(refused).toHaveLength(pauses.length)
      expect(result.stdout + result.stderr).toMatch(/gateway paused \(weight sync\): 429 with Retry-After 1000 ms/)
    } finally {
      clearTimeout(resume)
      onGenerate = undefined
      gateway.resume()
    }
  })

  it('a pause longer than the budget fails the rollout with the typed error that says so (exit 3)', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 3 * 3?', answer: 9 })
    onGenerate = () => {
      onGenerate = undefined
      gateway.pause({ retryAfterSeconds: 20, reason: 'weight sync' })
    }
    try {
      const result = await runRollout(rollout_id, { PAUSE_BUDGET_MS: '1500' })
      expect(result).toMatchObject({ state: 'failed', exitCode: 3, errorMessage: 'subprocess exited with code 3' })
      expect(result.stderr).toMatch(
        /failed \(exit 3\): VLLMPauseBudgetExceededError: vLLM \(or its gateway\) is paused \(429, Retry-After 20 s: weight sync\) for longer than the pause budget allows \(1\.5 s of 1\.5 s left for this call\)/
      )
      expect(gateway.events(rollout_id, { eventType: 'rollout_error' })[0]?.data.exit_code).toBe(3)
      expect(gateway.events(rollout_id, { eventType: 'reward' })).toEqual([])
    } finally {
      onGenerate = undefined
      gateway.resume()
    }
  })

  it('32 concurrent rollout processes over two replicas: one session key per rollout, no failure, each its own ids', async () => {
    const tasks = Array.from({ length: 32 }, (_, i) => ({
      question: `What is ${i + 2} * ${i + 13}?`,
      answer: (i + 2) * (i + 13),
    }))
    const rollouts = tasks.map((task) => gateway.createRollout(task))
    const started = Date.now()
    const results = await Promise.all(rollouts.map((r) => runRollout(r.rollout_id)))
    const seconds = (Date.now() - started) / 1000
    console.log(`32 rollout processes: ${seconds.toFixed(1)} s wall`)
    expect(results.filter((r) => r.state !== 'succeeded').map((r) => r.stderr)).toEqual([])

    const promptsSeen = new Set<string>()
    for (const [i, { rollout_id }] of rollouts.entries()) {
      const received = gateway.received.filter((r) => r.rolloutId === rollout_id)
      expect(received).toHaveLength(2)
      // The gateway drops client headers: the session key travels in the body, the same on every call.
      expect(received.map((r) => (r.body as { session_id?: string }).session_id)).toEqual([rollout_id, rollout_id])
      expect(new Set(received.map((r) => r.endpoint)).size).toBe(1)
      expectOwnIdsEqualGateway(rollout_id, 2)
      const first = JSON.stringify(ownRecords(rollout_id)[0]!.tokens.prompt_ids)
      expect(promptsSeen.has(first)).toBe(false)
      promptsSeen.add(first)
      expect(gateway.events(rollout_id, { eventType: 'reward' })[0]?.data.value, tasks[i]!.question).toBe(1)
    }
    // Both replicas served rollouts, and vLLM got every rollout's session key in the body.
    for (const replica of replicas) {
      const keys = new Set(replica.requests.map((q) => (q.body as { session_id?: string }).session_id))
      expect(keys.size).toBeGreaterThan(0)
    }
  })
})

describe('the example stopped by its controller', () => {
  it('SIGTERM (Kubernetes deleting the Job) cancels the call in flight and exits 143 with a rollout_error event', async () => {
    const { rollout_id } = gateway.createRollout({ question: 'What is 5 * 5?', answer: 25 })
    let release: (() => void) | undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let generating: (() => void) | undefined
    const started = new Promise<void>((resolve) => {
      generating = resolve
    })
    onGenerate = () => {
      onGenerate = undefined
      generating?.()
      return held
    }
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      cwd: root,
      env: { ...process.env, ...gateway.rolloutEnv(rollout_id), TSX_TSCONFIG_PATH: tsconfig, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
    try {
      await started
      child.kill('SIGTERM')
      expect(await exited).toBe(143)
      expect(stderr).toContain('SIGTERM: cancelling the rollout')
      expect(stderr).toMatch(/failed \(exit 143\): AglCancelledError: the rollout was cancelled by SIGTERM/)
      // The agent returns "Cancelled by user" instead of throwing; its score must not become a reward.
      expect(gateway.events(rollout_id, { eventType: 'reward' })).toEqual([])
      expect(gateway.events(rollout_id, { eventType: 'rollout_error' })[0]?.data.exit_code).toBe(143)
    } finally {
      onGenerate = undefined
      release?.()
      child.kill('SIGKILL')
    }
  })
})

describe('the example without the controller', () => {
  it('an unknown argument is a one-line usage error with exit 2', async () => {
    const error = await promisify(execFile)(process.execPath, ['--import', 'tsx', main, '--bogus'], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string }
    )
    expect(error?.code).toBe(2)
    expect(error?.stderr.trim().split('\n')).toHaveLength(1)
    expect(error?.stderr).toMatch(/^unknown argument --bogus; usage: tsx src\/main\.ts \[--demo\]/)
  })
})
