import { AglEnvError } from './errors.js'

/** `train` (logprobs captured, temperature 1.0 by default) or `val` (no logprobs, 0.7). From the proxy URL. */
export type AglMode = 'train' | 'val'

/** The variables Agent Lightning v1's rollout controller (local reconciler or Kubernetes Job) gives a rollout. */
export const AGL_ENV_VARIABLES = ['AGL_OPENAI_BASE_URL', 'AGL_EVENT_URL', 'AGL_KEY'] as const

/** Where the variables are read from: `process.env`, or any object with them. */
export type AglEnvSource = Readonly<Partial<Record<(typeof AGL_ENV_VARIABLES)[number], string>>>

/**
 * What the controller told this process, parsed. `key` is not enumerable, so `console.log(env)` and
 * `JSON.stringify(env)` never show it.
 */
export interface AglRolloutEnv {
  /** `{server}/proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1`: the OpenAI base URL of this rollout. */
  readonly openaiBaseUrl: string
  /** `{server}/api/rollouts/{rid}/attempt/{aid}/events`: where rewards and custom events go. */
  readonly eventUrl: string
  /** The server root as this process reaches it (`agl_server.agent_url`). */
  readonly serverUrl: string
  readonly rolloutId: string
  readonly attemptId: string
  readonly mode: AglMode
  /** The server's bearer key; empty when auth is off. */
  readonly key: string
  /** Whether `AGL_KEY` was set at all (the controllers always set it, empty when auth is off). */
  readonly keySet: boolean
}

const PROXY_URL =
  /^(?<server>.+?)\/proxy\/rollout\/(?<rid>[^/]+)\/attempt\/(?<aid>[^/]+)\/mode\/(?<mode>[^/]+)\/openai\/v1\/?$/
const EVENT_URL = /^(?<server>.+?)\/api\/rollouts\/(?<rid>[^/]+)\/attempt\/(?<aid>[^/]+)\/events\/?$/

const SET_BY =
  "Agent Lightning's rollout controller sets AGL_OPENAI_BASE_URL, AGL_EVENT_URL and AGL_KEY for every rollout " +
  'process (local reconciler or Kubernetes Job)'

/** True when any `AGL_*` variable is present (a process started by the controller, or set up by hand). */
export function hasAglEnv(env: AglEnvSource = process.env): boolean {
  return AGL_ENV_VARIABLES.some((name) => env[name] !== undefined)
}

/**
 * Read and check the rollout's variables: both URLs present, well formed, and naming the same server, rollout
 * and attempt. Throws `AglEnvError` naming the variable and what sets it.
 */
export function readAglEnv(env: AglEnvSource = process.env): AglRolloutEnv {
  const base = required(
    env,
    'AGL_OPENAI_BASE_URL',
    '{server}/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/train|val/openai/v1'
  )
  const events = required(env, 'AGL_EVENT_URL', '{server}/api/rollouts/{rollout_id}/attempt/{attempt_id}/events')
  const proxy = parse(
    PROXY_URL,
    base,
    'AGL_OPENAI_BASE_URL',
    '{server}/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/train|val/openai/v1'
  )
  const event = parse(
    EVENT_URL,
    events,
    'AGL_EVENT_URL',
    '{server}/api/rollouts/{rollout_id}/attempt/{attempt_id}/events'
  )
  const mode = proxy.mode
  if (mode !== 'train' && mode !== 'val') {
    throw new AglEnvError(
      `AGL_OPENAI_BASE_URL has mode "${mode}"; the gateway serves only /mode/train/ and /mode/val/ (${SET_BY})`,
      { variable: 'AGL_OPENAI_BASE_URL', problem: 'malformed' }
    )
  }
  for (const [what, a, b] of [
    ['server', proxy.server, event.server],
    ['rollout id', proxy.rid, event.rid],
    ['attempt id', proxy.aid, event.aid],
  ] as const) {
    if (a !== b) {
      throw new AglEnvError(
        `AGL_OPENAI_BASE_URL and AGL_EVENT_URL name different ${what}s ("${a}" and "${b}"): ` +
          'both must come from the same rollout, as the controller sets them',
        { variable: 'AGL_EVENT_URL', problem: 'mismatch' }
      )
    }
  }
  const key = env.AGL_KEY ?? ''
  const parsed = {
    openaiBaseUrl: base.replace(/\/+$/, ''),
    eventUrl: events.replace(/\/+$/, ''),
    serverUrl: proxy.server,
    rolloutId: proxy.rid,
    attemptId: proxy.aid,
    mode,
    keySet: env.AGL_KEY !== undefined,
  }
  return Object.defineProperty(parsed, 'key', { value: key, enumerable: false }) as AglRolloutEnv
}

function required(env: AglEnvSource, name: (typeof AGL_ENV_VARIABLES)[number], shape: string): string {
  const value = env[name]?.trim()
  if (!value) {
    throw new AglEnvError(
      `${name} is ${env[name] === undefined ? 'not set' : 'empty'}: ${SET_BY}. Run this process under the ` +
        `controller, or set the variables by hand (${name}=${shape})`,
      { variable: name, problem: 'missing' }
    )
  }
  return value
}

function parse(
  pattern: RegExp,
  value: string,
  name: string,
  shape: string
): { server: string; rid: string; aid: string; mode: string } {
  const match = pattern.exec(value)
  const groups = match?.groups
  let valid = false
  try {
    valid = groups !== undefined && ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    valid = false
  }
  if (!groups || !valid) {
    throw new AglEnvError(`${name} is not a rollout URL of the form ${shape} (got "${value}")`, {
      variable: name,
      problem: 'malformed',
    })
  }
  return {
    server: (groups.server ?? '').replace(/\/+$/, ''),
    rid: decodeURIComponent(groups.rid ?? ''),
    aid: decodeURIComponent(groups.aid ?? ''),
    mode: groups.mode ?? '',
  }
}
