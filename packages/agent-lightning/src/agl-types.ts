/** Wire shapes of Agent Lightning v1's server (`agentlightning/schemas.py`), field names as on the wire. */

export type AglJsonValue = string | number | boolean | null | AglJsonValue[] | { [key: string]: AglJsonValue }
export type AglJsonObject = { [key: string]: AglJsonValue }

export type AglRolloutState = 'queuing' | 'running' | 'succeeded' | 'failed'

/** A rollout as `GET /api/rollouts/{id}` returns it. */
export interface AglRollout {
  rollout_id: string
  /** The task: whatever the trainer queued (a question and its answer, a prompt, an environment seed…). */
  input: AglJsonValue
  is_train: boolean
  config: {
    timeout_seconds: number
    local: { agent_class: string | null; env_map: Record<string, string> } | null
    k8s: { job_template: string | null } | null
  }
  /** `batch_idx`, `sample_idx_in_batch` and whatever else the trainer attached. */
  metadata: AglJsonObject
  status: {
    state: AglRolloutState
    k8s_job_name: string | null
    last_attempt_id: string | null
    error_message: string | null
    version: number
    created_at: number
    updated_at: number
  }
}

/** A stored event (`POST …/events` answers with it). */
export interface AglEvent {
  event_type: string
  rollout_id: string
  attempt_id: string
  /** Seconds since the epoch, assigned by the server. */
  timestamp: number
  data: AglJsonObject
}

/** `data` of a `reward` event, as the trainer's triplet view keeps it. */
export interface AglRewardData {
  value: number
  source: string
  reason: string | null
}
