import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AglGatewayError } from './errors.js'
import type { AglGateway } from './gateway.js'
import { rolloutEnv } from './rollout-env.js'
import { envFromMap, runRolloutProcess } from './rollout-process.js'
import { startGatewayOverMock } from './test-support.js'

const KEY = 'sk-controller'

/** A rollout process: one model call through the gateway, a reward event, then the exit code it is told to use. */
const ROLLOUT_SCRIPT = `
const env = process.env
const headers = { authorization: 'Bearer ' + env.AGL_KEY, 'content-type': 'application/json' }
const chat = await fetch(env.AGL_OPENAI_BASE_URL + '/chat/completions', {
  method: 'POST', headers,
  body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 2 + 3?' }], max_tokens: 8 }),
})
if (chat.status !== 200) { console.error('model call failed', chat.status); process.exit(2) }
await fetch(env.AGL_EVENT_URL, { method: 'POST', headers, body: JSON.stringify({ event_type: 'reward', data: { value: 1 } }) })
console.log(JSON.stringify({ TASK: env.TASK, WHOLE: env.WHOLE, LIT: env.LIT, EXTRA: env.EXTRA }))
process.exit(Number(env.EXIT_CODE ?? 0))
`
const node = (script: string) => ({ command: process.execPath, args: ['--input-type=module', '-e', script] })

let gw: AglGateway
let close: () => Promise<void>

beforeAll(async () => {
  ;({ gw, close } = await startGatewayOverMock(KEY))
})
afterAll(() => close())

describe('rolloutEnv', () => {
  it('builds the three variables the controllers set', () => {
    expect(rolloutEnv({ serverUrl: 'http://agl:8080/', rolloutId: 'r1', mode: 'val', key: 'K' })).toEqual({
      AGL_KEY: 'K',
      AGL_OPENAI_BASE_URL: 'http://agl:8080/proxy/rollout/r1/attempt/0/mode/val/openai/v1',
      AGL_EVENT_URL: 'http://agl:8080/api/rollouts/r1/attempt/0/events',
    })
    const { rollout_id } = gw.createRollout(null, { is_train: false })
    expect(gw.rolloutEnv(rollout_id).AGL_OPENAI_BASE_URL).toBe(
      `${gw.url}/proxy/rollout/${rollout_id}/attempt/0/mode/val/openai/v1`
    )
    expect(gw.rolloutEnv(rollout_id).AGL_KEY).toBe(KEY)
  })

  it('maps rollout input into variables like config.local.env_map (non-strings as Python json.dumps)', () => {
    const input = { question: 'What is 2 + 3?', nums: [2, 3], meta: { level: 1 } }
    expect(
      envFromMap(input, {
        TASK: 'input.question',
        SECOND: 'input.nums.1',
        WHOLE: 'input',
        META: 'input.meta',
        LIT: 'plain',
      })
    ).toEqual({
      TASK: 'What is 2 + 3?',
      SECOND: '3',
      WHOLE: '{"question": "What is 2 + 3?", "nums": [2, 3], "meta": {"level": 1}}',
      META: '{"level": 1}',
      LIT: 'plain',
    })
    expect(() => envFromMap(input, { X: 'input.nope' })).toThrow('local.env_map path not found: input.nope')
  })
})

describe('runRolloutProcess', () => {
  it('exit 0: the process gets the env, its call and reward land on the rollout, the rollout succeeds', async () => {
    const { rollout_id } = gw.createRollout(
      { question: 'What is 2 + 3?' },
      { config: { local: { agent_class: null, env_map: { TASK: 'input.question', WHOLE: 'input', LIT: 'x' } } } }
    )
    const result = await runRolloutProcess({
      serverUrl: gw.url,
      key: KEY,
      rolloutId: rollout_id,
      ...node(ROLLOUT_SCRIPT),
      env: { EXTRA: 'e' },
    })
    expect(result).toMatchObject({
      rolloutId: rollout_id,
      attemptId: '0',
      exitCode: 0,
      signal: null,
      state: 'succeeded',
      errorMessage: null,
      timedOut: false,
    })
    expect(JSON.parse(result.stdout)).toEqual({
      TASK: 'What is 2 + 3?',
      WHOLE: '{"question": "What is 2 + 3?"}',
      LIT: 'x',
      EXTRA: 'e',
    })
    expect(result.rollout.status).toMatchObject({ state: 'succeeded', last_attempt_id: '0', version: 3 })
    expect(gw.getRollout(rollout_id)?.status.state).toBe('succeeded')
    expect(gw.events(rollout_id).map((e) => e.event_type)).toEqual(['model_request', 'reward'])
    expect(gw.received.at(-1)?.mode).toBe('train')
  })

  it('a non-zero exit fails the rollout with "subprocess exited with code N"', async () => {
    const { rollout_id } = gw.createRollout({ q: 'fail' })
    const result = await runRolloutProcess({
      serverUrl: gw.url,
      key: KEY,
      rolloutId: rollout_id,
      ...node(ROLLOUT_SCRIPT),
      env: { EXIT_CODE: '3' },
    })
    expect(result).toMatchObject({ exitCode: 3, state: 'failed', errorMessage: 'subprocess exited with code 3' })
    expect(gw.getRollout(rollout_id)?.status).toMatchObject({
      state: 'failed',
      error_message: 'subprocess exited with code 3',
    })
  })

  it('a process that outlives its timeout is SIGKILLed with its group and the rollout fails', async () => {
    const { rollout_id } = gw.createRollout({ q: 'hang' })
    const result = await runRolloutProcess({
      serverUrl: gw.url,
      key: KEY,
      rolloutId: rollout_id,
      ...node('setInterval(() => {}, 1000)'),
      timeoutMs: 300,
    })
    expect(result).toMatchObject({
      timedOut: true,
      signal: 'SIGKILL',
      exitCode: -9,
      state: 'failed',
      errorMessage: 'local subprocess timed out',
    })
  })

  it('a command that cannot start fails the rollout; a rollout that is not queuing is refused', async () => {
    const { rollout_id } = gw.createRollout({ q: 'spawn' })
    const result = await runRolloutProcess({
      serverUrl: gw.url,
      key: KEY,
      rolloutId: rollout_id,
      command: '/nonexistent/agent',
    })
    expect(result.state).toBe('failed')
    expect(result.errorMessage).toMatch(/^local subprocess spawn failed: .*ENOENT/)
    await expect(
      runRolloutProcess({ serverUrl: gw.url, key: KEY, rolloutId: rollout_id, command: process.execPath })
    ).rejects.toThrow(AglGatewayError)
    await expect(
      runRolloutProcess({ serverUrl: gw.url, key: 'wrong', rolloutId: rollout_id, command: process.execPath })
    ).rejects.toThrow(/answered 401/)
  })
})
