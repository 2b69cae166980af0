/** Wire shapes of Agent Lightning v1.0's server (`agentlightning/schemas.py`), field names as on the wire. */

/** JSON value as parsed from a request or an upstream response. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export type RolloutState = 'queuing' | 'running' | 'succeeded' | 'failed'

export const ROLLOUT_STATES: readonly RolloutState[] = ['queuing', 'running', 'succeeded', 'failed']

/** Allowed `status.state` changes; terminal states have none. */
export const VALID_TRANSITIONS: Readonly<Record<RolloutState, readonly RolloutState[]>> = {
  queuing: ['running', 'failed'],
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
}

export const TERMINAL_STATES: readonly RolloutState[] = ['succeeded', 'failed']

/** The attempt id the local controller always uses, and the one events are read from when none is recorded. */
export const DEFAULT_ATTEMPT_ID = '0'

export interface RolloutConfig {
  timeout_seconds: number
  local: { agent_class: string | null; env_map: Record<string, string> } | null
  k8s: { job_template: string | null } | null
}

export interface RolloutLifecycleStatus {
  state: RolloutState
  k8s_job_name: string | null
  last_attempt_id: string | null
  error_message: string | null
  version: number
  created_at: number
  updated_at: number
}

export interface Rollout {
  rollout_id: string
  input: JsonValue
  is_train: boolean
  config: RolloutConfig
  /** `batch_idx`, `sample_idx_in_batch` and any extra keys. */
  metadata: JsonObject
  status: RolloutLifecycleStatus
}

/** One item of `POST /api/rollouts`. */
export interface RolloutCreate {
  input: JsonValue
  is_train?: boolean
  config?: Partial<RolloutConfig> | null
  metadata?: JsonObject | null
  rollout_id?: string | null
}

export interface AglEvent {
  event_type: string
  rollout_id: string
  attempt_id: string
  /** Seconds since the epoch, assigned by the server. */
  timestamp: number
  data: JsonObject
}

/** `data` of a `model_request` event, as the gateway stores it for every proxied call. */
export interface ModelRequestData {
  model: string
  model_version: number
  /** The body as forwarded upstream (after the rewrites). */
  request: JsonObject
  /** The upstream JSON body, unchanged (`{}` when it was not JSON). */
  response: JsonObject
  server: { model: string; endpoint: string; version: number }
  latency_ms: number
  http_status: number
  status: 'ok' | 'error'
  /** Attempts before the one whose answer was kept (0: first try). */
  retry_count: number
  usage: JsonObject | null
  finish_reason: string | null
}

/** `data` of a `model_request` event in `?format=triplet`. */
export interface TripletData {
  prompt_token_ids: JsonValue
  response_token_ids: JsonValue
  /** Per-token logprobs of `choices[0]`; null when missing or any value is not a finite number. */
  response_log_probs: number[] | null
  server: { model: JsonValue; version: JsonValue }
  http_status?: JsonValue
  status?: JsonValue
  error?: JsonValue
}

/** A registered upstream (`POST /api/models`); `endpoint` includes `/v1`. */
export interface ModelServer {
  model: string
  endpoint: string
  version: number
}

export interface PauseState {
  paused: boolean
  retry_after_seconds: number
  reason: string | null
  inflight: number
}

export type ProxyMode = 'train' | 'val'
