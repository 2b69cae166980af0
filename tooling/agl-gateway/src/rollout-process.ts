import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { pyJsonDumps } from '@strands-vllm/mock-server/internal'
import { AglGatewayError } from './errors.js'
import { rolloutEnv } from './rollout-env.js'
import { DEFAULT_ATTEMPT_ID, type JsonValue, type Rollout, type RolloutState } from './types.js'

export interface RunRolloutProcessOptions {
  /** Server root whose REST API (`/api/rollouts/…`) tracks the rollout: `gateway.url`. */
  serverUrl: string
  /** Server key, sent as `Authorization: Bearer`, and given to the process as `AGL_KEY`. */
  key?: string
  /** Root the process reaches the server at, when not `serverUrl` (`agl_server.agent_url`). */
  agentUrl?: string
  /** A `queuing` rollout. */
  rolloutId: string
  /** The rollout process, e.g. `process.execPath` with `['--import', 'tsx', 'rollout.ts']`. */
  command: string
  args?: readonly string[]
  cwd?: string
  /** Extra variables, applied after the `AGL_*` ones and the rollout's `config.local.env_map`. */
  env?: Record<string, string | undefined>
  /** Kill the process group after this long. Default the rollout's `config.timeout_seconds`. */
  timeoutMs?: number
  /** Every chunk the process writes (it is also collected into the result). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void
}

export interface RolloutProcessResult {
  rolloutId: string
  attemptId: string
  /** Exit code; a signal death is `-signum`, as Python's `returncode` reports it. Null when it never started. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** The state the rollout was moved to. */
  state: Extract<RolloutState, 'succeeded' | 'failed'>
  /** `status.error_message` written on failure (`subprocess exited with code 3`, …). */
  errorMessage: string | null
  stdout: string
  stderr: string
  /** The rollout as the server has it afterwards. */
  rollout: Rollout
}

/**
 * What Agent Lightning's local controller does for one queued rollout: start the process in its own process group
 * with the `AGL_*` variables (and `env_map`), mark the rollout `running` with attempt `"0"`, and when the process
 * exits mark it `succeeded` (exit 0) or `failed` (`subprocess exited with code N`). The exit code is the only
 * outcome the controller reads: a rollout process must exit non-zero when it failed.
 */
export async function runRolloutProcess(options: RunRolloutProcessOptions): Promise<RolloutProcessResult> {
  const api = new ServerApi(options.serverUrl, options.key ?? '')
  const attemptId = DEFAULT_ATTEMPT_ID
  const { rollout } = (await api.call('GET', `/api/rollouts/${options.rolloutId}`)) as { rollout: Rollout }
  if (rollout.status.state !== 'queuing') {
    throw new AglGatewayError(
      `rollout ${options.rolloutId} is ${rollout.status.state}; only a queuing rollout is started`
    )
  }
  const base = {
    rolloutId: options.rolloutId,
    attemptId,
    signal: null,
    timedOut: false,
    stdout: '',
    stderr: '',
  }
  const fail = async (message: string, extra: Partial<RolloutProcessResult> = {}): Promise<RolloutProcessResult> => {
    const updated = await api.patch(options.rolloutId, { state: 'failed', error_message: message })
    return { ...base, exitCode: null, ...extra, state: 'failed', errorMessage: message, rollout: updated }
  }

  let env: Record<string, string | undefined>
  try {
    env = {
      ...process.env,
      ...rolloutEnv({
        serverUrl: options.agentUrl ?? options.serverUrl,
        rolloutId: options.rolloutId,
        attemptId,
        mode: rollout.is_train ? 'train' : 'val',
        key: options.key ?? '',
      }),
      ...envFromMap(rollout.input, rollout.config.local?.env_map ?? {}),
      ...options.env,
    }
  } catch (error) {
    return fail(`local subprocess spawn failed: ${(error as Error).message}`)
  }

  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    options.onOutput?.('stdout', chunk)
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    options.onOutput?.('stderr', chunk)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolve) => {
    child.once('error', (error) => resolve({ error }))
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  const spawned = await Promise.race([
    new Promise<true>((resolve) => child.once('spawn', () => resolve(true))),
    exited.then((r) => ('error' in r ? r.error : true)),
  ])
  if (spawned !== true) return fail(`local subprocess spawn failed: ${spawned.message}`)

  await api.patch(options.rolloutId, { state: 'running', last_attempt_id: attemptId })

  const timeoutMs = options.timeoutMs ?? rollout.config.timeout_seconds * 1000
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killGroup(child.pid)
  }, timeoutMs)
  const outcome = await exited
  clearTimeout(timer)
  if ('error' in outcome) return fail(`local subprocess failed: ${outcome.error.message}`, { stdout, stderr })
  const exitCode = outcome.code ?? (outcome.signal ? -(constants.signals[outcome.signal] ?? 0) : null)
  const done = { ...base, exitCode, signal: outcome.signal, timedOut, stdout, stderr }
  if (timedOut) return fail('local subprocess timed out', done)
  if (exitCode === 0) {
    const updated = await api.patch(options.rolloutId, { state: 'succeeded', last_attempt_id: attemptId })
    return { ...done, state: 'succeeded', errorMessage: null, rollout: updated }
  }
  return fail(`subprocess exited with code ${exitCode}`, done)
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/**
 * `config.local.env_map`: `NAME → "input"` (the whole input), `"input.a.0.b"` (a path into it) or any other string
 * (used as is). Strings pass unchanged; anything else is JSON-encoded as Python's `json.dumps` writes it.
 */
export function envFromMap(input: JsonValue, envMap: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, path] of Object.entries(envMap)) {
    const value = resolveInputPath(input, path)
    env[name] = typeof value === 'string' ? value : pyJsonDumps(value)
  }
  return env
}

function resolveInputPath(input: JsonValue, path: string): JsonValue {
  if (path === 'input') return input
  if (!path.startsWith('input.')) return path
  let value: JsonValue = input
  for (const part of path.split('.').slice(1)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && part in value) {
      value = value[part] as JsonValue
    } else if (Array.isArray(value) && /^\d+$/.test(part) && Number(part) < value.length) {
      value = value[Number(part)] as JsonValue
    } else {
      throw new AglGatewayError(`local.env_map path not found: ${path}`)
    }
  }
  return value
}

/** The controller's calls to the server's REST API. */
class ServerApi {
  constructor(
    private readonly url: string,
    private readonly key: string
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.key) headers.authorization = `Bearer ${this.key}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${this.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    if (!response.ok) throw new AglGatewayError(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`)
    return text ? JSON.parse(text) : undefined
  }

  async patch(rolloutId: string, status: Record<string, string>): Promise<Rollout> {
    return (await this.call('PATCH', `/api/rollouts/${rolloutId}`, { status })) as Rollout
  }
}
