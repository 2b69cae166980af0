import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { rolloutEnv } from '@strands-vllm/agl-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAglEnv } from './agl-env.js'
import { AglServerClient } from './agl-server-client.js'
import { AglConfigError, AglServerError } from './errors.js'
import { type AglStack, startAglStack, TEST_KEY } from './testing/agl-stack.js'

let stack: AglStack
beforeAll(async () => {
  stack = await startAglStack()
})
afterAll(async () => {
  await stack?.close()
})

describe('AglServerClient', () => {
  it('reads the rollout and posts rewards and custom events to the rollout’s attempt', async () => {
    const { rollout_id } = stack.gateway.createRollout({ question: 'q' }, { metadata: { batch_idx: 3 } })
    const client = new AglServerClient(stack.env(rollout_id))
    const { rollout } = await client.getRollout()
    expect(rollout).toMatchObject({ rollout_id, input: { question: 'q' }, is_train: true, metadata: { batch_idx: 3 } })
    const reward = await client.postReward(0.25, { source: 'judge', reason: 'partial' })
    expect(reward).toMatchObject({ event_type: 'reward', rollout_id, attempt_id: '0' })
    await client.postEvent('tool_stats', { calls: 2 })
    expect(stack.gateway.events(rollout_id).map((e) => [e.event_type, e.data])).toEqual([
      ['reward', { value: 0.25, source: 'judge', reason: 'partial' }],
      ['tool_stats', { calls: 2 }],
    ])
  })

  it('refuses a reward that is not a finite number before sending it', async () => {
    const client = new AglServerClient(stack.env('r'))
    await expect(client.postReward(Number.NaN)).rejects.toThrow(AglConfigError)
    await expect(client.postEvent('')).rejects.toThrow(/eventType must be a non-empty string/)
  })

  it('an unreachable server: retried, then an AglServerError that says where it looked and what to check', async () => {
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const port = (dead.address() as AddressInfo).port
    await new Promise<void>((resolve) => dead.close(() => resolve()))
    const env = readAglEnv(
      rolloutEnv({ serverUrl: `http://127.0.0.1:${port}`, rolloutId: 'r1', mode: 'train', key: TEST_KEY })
    )
    const error = await new AglServerClient(env, { retries: 1 }).postReward(1).catch((e: unknown) => e)
    expect(AglServerError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: undefined, route: 'POST /api/rollouts/r1/attempt/0/events' })
    expect((error as Error).message).toMatch(
      new RegExp(
        `^could not reach the Agent Lightning server at http://127\\.0\\.0\\.1:${port} for POST .*ECONNREFUSED`
      )
    )
    expect((error as Error).message).toContain('agl_server.agent_url')
    expect((error as Error).message).not.toContain(TEST_KEY)
  })
})
