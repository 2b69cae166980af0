import type { ProxyMode } from './types.js'

/** The three variables Agent Lightning's controllers (local and Kubernetes) give a rollout process. */
export interface RolloutEnv {
  /** `{server}/proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1`: the OpenAI base URL of the rollout. */
  AGL_OPENAI_BASE_URL: string
  /** `{server}/api/rollouts/{rid}/attempt/{aid}/events`: where rewards and custom events go. */
  AGL_EVENT_URL: string
  /** Bearer key of the server; empty when auth is off. */
  AGL_KEY: string
}

export interface RolloutEnvOptions {
  /** The server root as the agent reaches it (`agl_server.agent_url`, else `agl_server.url`). */
  serverUrl: string
  rolloutId: string
  /** Default `"0"`, the only attempt id the local controller uses. */
  attemptId?: string
  mode: ProxyMode
  key?: string
}

export function rolloutEnv(options: RolloutEnvOptions): RolloutEnv {
  const base = options.serverUrl.replace(/\/+$/, '')
  const attempt = options.attemptId ?? '0'
  return {
    AGL_KEY: options.key ?? '',
    AGL_OPENAI_BASE_URL: `${base}/proxy/rollout/${options.rolloutId}/attempt/${attempt}/mode/${options.mode}/openai/v1`,
    AGL_EVENT_URL: `${base}/api/rollouts/${options.rolloutId}/attempt/${attempt}/events`,
  }
}
