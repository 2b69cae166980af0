import { type Context, context, createContextKey, type HrTime, type SpanContext } from '@opentelemetry/api'
import { AglConfigError } from './errors.js'

/** The ids the v0.x store files a span under: from its `start_rollout` (or the runner that dequeued the rollout). */
export interface AglRolloutIds {
  rolloutId: string
  attemptId: string
}

/** A rollout in flight: its ids and what the span processor learnt about its spans. */
export interface AglRolloutScope extends AglRolloutIds {
  /** The most recent `invoke_agent` span of this rollout (the reward span's parent when no span is active). */
  lastAgentSpan: SpanContext | undefined
  /** Spans started in this rollout so far. */
  spans: number
  /** The latest end time of a span of this rollout (the reward span must start after it). */
  lastEndTime?: HrTime | undefined
}

const SCOPE_KEY = createContextKey('strands-vllm.agent-lightning.rollout')

/**
 * Run `fn` as one rollout: every span started inside it (the agent's, the recorder's, the reward's) is stamped
 * with these ids by `AglRolloutSpanProcessor`. The ids travel in the OpenTelemetry context (AsyncLocalStorage),
 * so concurrent rollouts in one process keep their own.
 */
export function withAglRollout<T>(ids: AglRolloutIds, fn: () => T): T {
  checkIds(ids)
  const scope: AglRolloutScope = {
    rolloutId: ids.rolloutId,
    attemptId: ids.attemptId,
    lastAgentSpan: undefined,
    spans: 0,
  }
  return context.with(context.active().setValue(SCOPE_KEY, scope), fn)
}

/** The rollout `ctx` runs in (default: the active context), if any. */
export function currentAglRollout(ctx: Context = context.active()): AglRolloutIds | undefined {
  const scope = aglRolloutScope(ctx)
  return scope ? { rolloutId: scope.rolloutId, attemptId: scope.attemptId } : undefined
}

/** The scope object itself (mutable; for the span processor and the reward helper). */
export function aglRolloutScope(ctx: Context): AglRolloutScope | undefined {
  return ctx.getValue(SCOPE_KEY) as AglRolloutScope | undefined
}

function checkIds(ids: AglRolloutIds): void {
  for (const key of ['rolloutId', 'attemptId'] as const) {
    const value = (ids as Partial<AglRolloutIds> | undefined)?.[key]
    if (typeof value !== 'string' || value.length === 0) {
      throw new AglConfigError(
        `withAglRollout: ${key} must be a non-empty string (the store's rollout and attempt ids, e.g. from ` +
          'start_rollout); spans without them are dropped by the store'
      )
    }
  }
}
