import { randomUUID } from 'node:crypto'
import type { ValidRolloutCreate } from './rollout-requests.js'
import {
  type AglEvent,
  DEFAULT_ATTEMPT_ID,
  type JsonObject,
  type ModelServer,
  type Rollout,
  type RolloutLifecycleStatus,
  TERMINAL_STATES,
} from './types.js'

/** Pause/drain state (`ProxyPauseState`): `retryAfterSeconds` survives a resume, `reason` does not. */
export interface PauseFlags {
  paused: boolean
  retryAfterSeconds: number
  reason: string | null
  inflight: number
}

/**
 * The server's in-memory state, as `agentlightning/server/store.py` keeps it: rollouts by id, events by rollout then
 * attempt in arrival order, upstreams by model then endpoint, and the order in which rollouts became terminal.
 */
export class GatewayState {
  readonly rollouts = new Map<string, Rollout>()
  readonly events = new Map<string, Map<string, AglEvent[]>>()
  readonly models = new Map<string, Map<string, ModelServer>>()
  readonly terminalOrder: string[] = []
  readonly pause: PauseFlags = { paused: false, retryAfterSeconds: 5, reason: null, inflight: 0 }

  /**
   * Idempotent with a caller-supplied id: an existing rollout comes back unchanged. Items are created in order, so
   * one whose metadata the real route cannot build throws {@link RolloutMetadataError} after the earlier ones exist.
   */
  createRollouts(items: readonly ValidRolloutCreate[]): Rollout[] {
    return items.map((item) => {
      if (item.rollout_id !== null) {
        const existing = this.rollouts.get(item.rollout_id)
        if (existing) return existing
      }
      if (item.metadataError !== undefined) throw new RolloutMetadataError(item.metadataError)
      const now = Date.now() / 1000
      const rollout: Rollout = {
        rollout_id: item.rollout_id ?? randomUUID().replaceAll('-', ''),
        input: item.input,
        is_train: item.is_train,
        config: item.config,
        metadata: item.metadata,
        status: {
          state: 'queuing',
          k8s_job_name: null,
          last_attempt_id: null,
          error_message: null,
          version: 1,
          created_at: now,
          updated_at: now,
        },
      }
      this.rollouts.set(rollout.rollout_id, rollout)
      this.events.set(rollout.rollout_id, new Map())
      return rollout
    })
  }

  /** Applies an already-checked status patch; bumps `version` and `updated_at`. */
  patchStatus(rolloutId: string, updates: Partial<RolloutLifecycleStatus>): Rollout {
    const rollout = this.rollouts.get(rolloutId)
    if (!rollout) throw new Error(`Rollout not found: ${rolloutId}`)
    const status: RolloutLifecycleStatus = {
      ...rollout.status,
      ...updates,
      version: rollout.status.version + 1,
      updated_at: Date.now() / 1000,
    }
    const updated: Rollout = { ...rollout, status }
    this.rollouts.set(rolloutId, updated)
    if ('state' in updates && TERMINAL_STATES.includes(status.state)) this.terminalOrder.push(rolloutId)
    return updated
  }

  deleteRollout(rolloutId: string): void {
    this.rollouts.delete(rolloutId)
    this.events.delete(rolloutId)
    const kept = this.terminalOrder.filter((id) => id !== rolloutId)
    this.terminalOrder.splice(0, this.terminalOrder.length, ...kept)
  }

  /** Appends an event; undefined when the rollout does not exist (the route answers 404). */
  recordEvent(rolloutId: string, attemptId: string, eventType: string, data: JsonObject): AglEvent | undefined {
    if (!this.rollouts.has(rolloutId)) return undefined
    const event: AglEvent = {
      event_type: eventType,
      rollout_id: rolloutId,
      attempt_id: attemptId,
      timestamp: Date.now() / 1000,
      data,
    }
    let byAttempt = this.events.get(rolloutId)
    if (!byAttempt) {
      byAttempt = new Map()
      this.events.set(rolloutId, byAttempt)
    }
    const list = byAttempt.get(attemptId)
    if (list) list.push(event)
    else byAttempt.set(attemptId, [event])
    return event
  }

  /** What `GET /api/rollouts/{id}/events` reads: only the rollout's `last_attempt_id` (else attempt "0"). */
  queryEvents(rolloutId: string, eventType?: string): AglEvent[] {
    const rollout = this.rollouts.get(rolloutId)
    if (!rollout) return []
    const attemptId = rollout.status.last_attempt_id || DEFAULT_ATTEMPT_ID
    const events = this.events.get(rolloutId)?.get(attemptId) ?? []
    return eventType === undefined ? [...events] : events.filter((e) => e.event_type === eventType)
  }

  /** Attempt ids with events, ordered by their first event's time. */
  listAttempts(rolloutId: string): string[] {
    const byAttempt = this.events.get(rolloutId)
    if (!byAttempt) return []
    const first = (id: string): number => byAttempt.get(id)?.[0]?.timestamp ?? Number.POSITIVE_INFINITY
    return [...byAttempt.keys()].sort((a, b) => first(a) - first(b))
  }

  /** Upsert by (model, endpoint). */
  registerModel(server: ModelServer): ModelServer {
    let byEndpoint = this.models.get(server.model)
    if (!byEndpoint) {
      byEndpoint = new Map()
      this.models.set(server.model, byEndpoint)
    }
    byEndpoint.set(server.endpoint, server)
    return server
  }

  clearModels(): void {
    this.models.clear()
  }
}

/** The real route's `RolloutMetadata(**metadata)` failing: FastAPI answers a plain 500. */
export class RolloutMetadataError extends Error {
  override readonly name = 'RolloutMetadataError'
}
