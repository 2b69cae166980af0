import { rolloutEnv } from '@strands-vllm/agl-gateway'
import { describe, expect, it } from 'vitest'
import { hasAglEnv, readAglEnv } from './agl-env.js'
import { AglEnvError } from './errors.js'

const KEY = 'sk-agl-secret-7f3a'

describe('readAglEnv', () => {
  it('reads what the controller sets: server, rollout id, attempt id and mode from the URLs', () => {
    const env = readAglEnv(
      rolloutEnv({ serverUrl: 'http://agl.svc:8080/', rolloutId: 'ro-42', attemptId: '0', mode: 'val', key: KEY })
    )
    expect(env).toMatchObject({
      openaiBaseUrl: 'http://agl.svc:8080/proxy/rollout/ro-42/attempt/0/mode/val/openai/v1',
      eventUrl: 'http://agl.svc:8080/api/rollouts/ro-42/attempt/0/events',
      serverUrl: 'http://agl.svc:8080',
      rolloutId: 'ro-42',
      attemptId: '0',
      mode: 'val',
      keySet: true,
    })
    expect(env.key).toBe(KEY)
  })

  it('keeps a path prefix of the server (agent_url behind an ingress) and decodes ids', () => {
    const env = readAglEnv({
      AGL_OPENAI_BASE_URL: 'https://lab.example/agl/proxy/rollout/ro%2F1/attempt/2/mode/train/openai/v1/',
      AGL_EVENT_URL: 'https://lab.example/agl/api/rollouts/ro%2F1/attempt/2/events',
      AGL_KEY: '',
    })
    expect(env).toMatchObject({
      serverUrl: 'https://lab.example/agl',
      rolloutId: 'ro/1',
      attemptId: '2',
      mode: 'train',
    })
    expect(env.openaiBaseUrl).not.toMatch(/\/$/)
    expect(env.key).toBe('')
  })

  it('never shows the key when the env is logged or serialized', () => {
    const env = readAglEnv(rolloutEnv({ serverUrl: 'http://a', rolloutId: 'r', mode: 'train', key: KEY }))
    expect(JSON.stringify(env)).not.toContain(KEY)
    expect(Object.keys(env)).not.toContain('key')
    expect(String(Object.values(env))).not.toContain(KEY)
  })

  it('names the missing variable and what sets it', () => {
    const error = catchError(() => readAglEnv({ AGL_EVENT_URL: 'http://a/api/rollouts/r/attempt/0/events' }))
    expect(AglEnvError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ variable: 'AGL_OPENAI_BASE_URL', problem: 'missing' })
    expect((error as Error).message).toMatch(/^AGL_OPENAI_BASE_URL is not set: Agent Lightning's rollout controller/)
    expect((error as Error).message).toContain('local reconciler or Kubernetes Job')
    const events = catchError(() =>
      readAglEnv({ AGL_OPENAI_BASE_URL: 'http://a/proxy/rollout/r/attempt/0/mode/train/openai/v1', AGL_EVENT_URL: ' ' })
    )
    expect(events).toMatchObject({ variable: 'AGL_EVENT_URL', problem: 'missing' })
    expect((events as Error).message).toMatch(/^AGL_EVENT_URL is empty/)
  })

  it('refuses a URL that is not a rollout URL, an unknown mode, and URLs of two different rollouts', () => {
    const base = (mode: string, rid = 'r') => `http://a/proxy/rollout/${rid}/attempt/0/mode/${mode}/openai/v1`
    const events = 'http://a/api/rollouts/r/attempt/0/events'
    expect(
      catchError(() => readAglEnv({ AGL_OPENAI_BASE_URL: 'http://localhost:8000/v1', AGL_EVENT_URL: events }))
    ).toMatchObject({ variable: 'AGL_OPENAI_BASE_URL', problem: 'malformed' })
    const mode = catchError(() => readAglEnv({ AGL_OPENAI_BASE_URL: base('eval'), AGL_EVENT_URL: events }))
    expect((mode as Error).message).toContain('mode "eval"')
    const mismatch = catchError(() =>
      readAglEnv({ AGL_OPENAI_BASE_URL: base('train', 'other'), AGL_EVENT_URL: events })
    )
    expect(mismatch).toMatchObject({ variable: 'AGL_EVENT_URL', problem: 'mismatch' })
    expect((mismatch as Error).message).toContain('different rollout ids ("other" and "r")')
  })

  it('treats an unset AGL_KEY as auth off and remembers it was unset', () => {
    const { AGL_KEY: _key, ...rest } = rolloutEnv({ serverUrl: 'http://a', rolloutId: 'r', mode: 'train' })
    const env = readAglEnv(rest)
    expect(env.key).toBe('')
    expect(env.keySet).toBe(false)
  })
})

describe('hasAglEnv', () => {
  it('is true as soon as one AGL_* variable is present', () => {
    expect(hasAglEnv({})).toBe(false)
    expect(hasAglEnv({ AGL_KEY: '' })).toBe(true)
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}
