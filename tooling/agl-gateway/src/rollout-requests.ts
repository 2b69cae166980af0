import type { JsonObject, JsonValue, RolloutConfig, RolloutLifecycleStatus, RolloutState } from './types.js'
import { ROLLOUT_STATES } from './types.js'
import {
  bool,
  dict,
  enumValue,
  forbidExtra,
  Issues,
  int,
  isObject,
  type Loc,
  list,
  model,
  optionalInt,
  optionalStr,
  str,
} from './validation.js'

/** A `RolloutCreate` after validation, defaults filled in. */
export interface ValidRolloutCreate {
  input: JsonValue
  is_train: boolean
  config: RolloutConfig
  metadata: JsonObject
  rollout_id: string | null
  /**
   * Set when `metadata` is an object whose `batch_idx` / `sample_idx_in_batch` are not integers. The real schema
   * takes it anyway (`RolloutMetadata | dict` falls back to `dict`), and the route then fails building
   * `RolloutMetadata(**metadata)`: a 500, after the list's earlier items were created.
   */
  metadataError?: string
}

const DEFAULT_TIMEOUT_SECONDS = 3600

/** `list[RolloutCreate]`: `input` is required (any JSON, null included). */
export function validateRolloutCreates(
  body: JsonValue | undefined
): { items: ValidRolloutCreate[] } | { issues: Issues } {
  const issues = new Issues()
  if (body === undefined) {
    issues.missing(['body'], null)
    return { issues }
  }
  const raw = list(issues, body, ['body'])
  if (!raw) return { issues }
  const items: ValidRolloutCreate[] = []
  raw.forEach((entry, index) => {
    const loc: Loc = ['body', index]
    const obj = model(issues, entry, loc)
    if (!obj) return
    if (!('input' in obj)) issues.missing([...loc, 'input'], obj)
    const isTrain = obj.is_train === undefined ? true : bool(issues, obj.is_train, [...loc, 'is_train'])
    const config = validateConfig(issues, obj.config, [...loc, 'config'])
    const metadata = validateMetadata(issues, obj.metadata, [...loc, 'metadata'])
    const rolloutId = optionalStr(issues, obj.rollout_id, [...loc, 'rollout_id'])
    if (isTrain === undefined || config === undefined || metadata === undefined || rolloutId === undefined) return
    items.push({ input: obj.input ?? null, is_train: isTrain, config, rollout_id: rolloutId, ...metadata })
  })
  return issues.ok ? { items } : { issues }
}

function validateConfig(issues: Issues, value: JsonValue | undefined, loc: Loc): RolloutConfig | undefined {
  const config: RolloutConfig = { timeout_seconds: DEFAULT_TIMEOUT_SECONDS, local: null, k8s: null }
  if (value === undefined || value === null) return config
  const obj = model(issues, value, loc)
  if (!obj) return undefined
  if (obj.timeout_seconds !== undefined) {
    const timeout = int(issues, obj.timeout_seconds, [...loc, 'timeout_seconds'])
    if (timeout !== undefined) config.timeout_seconds = timeout
  }
  if (obj.local !== undefined && obj.local !== null) {
    const local = model(issues, obj.local, [...loc, 'local'])
    if (local) {
      const agentClass = optionalStr(issues, local.agent_class, [...loc, 'local', 'agent_class'])
      const envMap: Record<string, string> = {}
      if (local.env_map !== undefined) {
        const map = dict(issues, local.env_map, [...loc, 'local', 'env_map'])
        for (const [key, path] of Object.entries(map ?? {})) {
          const s = str(issues, path, [...loc, 'local', 'env_map', key])
          if (s !== undefined) envMap[key] = s
        }
      }
      config.local = { agent_class: agentClass ?? null, env_map: envMap }
    }
  }
  if (obj.k8s !== undefined && obj.k8s !== null) {
    const k8s = model(issues, obj.k8s, [...loc, 'k8s'])
    if (k8s)
      config.k8s = { job_template: optionalStr(issues, k8s.job_template, [...loc, 'k8s', 'job_template']) ?? null }
  }
  return config
}

/** `RolloutMetadata` (extra keys allowed) with its two typed fields first, as pydantic dumps it. */
function validateMetadata(
  issues: Issues,
  value: JsonValue | undefined,
  loc: Loc
): Pick<ValidRolloutCreate, 'metadata' | 'metadataError'> | undefined {
  if (value === undefined || value === null) return { metadata: { batch_idx: null, sample_idx_in_batch: null } }
  if (!isObject(value)) {
    issues.add(
      'model_attributes_type',
      loc,
      'Input should be a valid dictionary or object to extract fields from',
      value
    )
    return undefined
  }
  const fields = new Issues()
  const batchIdx = optionalInt(fields, value.batch_idx, [...loc, 'batch_idx'])
  const sampleIdx = optionalInt(fields, value.sample_idx_in_batch, [...loc, 'sample_idx_in_batch'])
  if (batchIdx === undefined || sampleIdx === undefined) {
    return { metadata: value, metadataError: `RolloutMetadata: ${fields.list.map((i) => i.msg).join('; ')}` }
  }
  const { batch_idx: _b, sample_idx_in_batch: _s, ...extra } = value
  return { metadata: { batch_idx: batchIdx, sample_idx_in_batch: sampleIdx, ...extra } }
}

const STATUS_PATCH_FIELDS = ['state', 'k8s_job_name', 'last_attempt_id', 'error_message'] as const

/**
 * `RolloutPatch` (`extra="forbid"`, only `status`) → the fields explicitly set, as `model_dump(exclude_unset=True)`
 * gives them. An explicit `"state": null` stays in (the route then refuses the transition to `None`).
 */
export function validateRolloutPatch(
  body: JsonValue | undefined
): { updates: Partial<Omit<RolloutLifecycleStatus, 'state'>> & { state?: RolloutState | null } } | { issues: Issues } {
  const issues = new Issues()
  if (body === undefined) {
    issues.missing(['body'], null)
    return { issues }
  }
  const obj = model(issues, body, ['body'])
  if (!obj) return { issues }
  // `RolloutPatch` itself ignores unknown keys; only the nested `RolloutStatusPatch` is `extra="forbid"`.
  const updates: Partial<Omit<RolloutLifecycleStatus, 'state'>> & { state?: RolloutState | null } = {}
  if (obj.status !== undefined && obj.status !== null) {
    const status = model(issues, obj.status, ['body', 'status'])
    if (status) {
      forbidExtra(issues, status, STATUS_PATCH_FIELDS, ['body', 'status'])
      if ('state' in status) {
        const state =
          status.state === null ? null : enumValue(issues, status.state, ROLLOUT_STATES, ['body', 'status', 'state'])
        if (state !== undefined) updates.state = state
      }
      for (const field of ['k8s_job_name', 'last_attempt_id', 'error_message'] as const) {
        if (field in status) {
          const value = optionalStr(issues, status[field], ['body', 'status', field])
          if (value !== undefined) updates[field] = value
        }
      }
    }
  }
  return issues.ok ? { updates } : { issues }
}
