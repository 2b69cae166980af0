import { type Attributes, context, type HrTime, type Tracer, trace } from '@opentelemetry/api'
import { AGL_ANNOTATION_SPAN, AGL_ATTEMPT_ID, AGL_REWARD_PREFIX, AGL_ROLLOUT_ID } from './agl-span-names.js'
import { AglConfigError } from './errors.js'
import { hrTimeBefore } from './hr-time.js'
import { type AglRolloutIds, aglRolloutScope } from './rollout-scope.js'

export interface EmitAglRewardOptions {
  /** Name of a single numeric reward. Default `primary`. */
  name?: string
  /** The rollout, when the call is not inside `withAglRollout`. */
  rollout?: AglRolloutIds
  /** Default: the global provider's `@strands-vllm/agent-lightning` tracer. */
  tracer?: Tracer
  /** Extra attributes on the annotation span. */
  attributes?: Attributes
}

/**
 * Emit the reward span Agent Lightning v0.x reads: `agentlightning.annotation` with
 * `agentlightning.reward.<i>.name` / `.value` (the first dimension is the primary reward). The adapter gives it to
 * the latest LLM call that ended before it started, so call this after `agent.invoke()` resolved (the recorder
 * ends the last call's span when the invocation ends). A record gives several dimensions, the first one primary.
 *
 * Never writes a bare `agentlightning.reward`: v0.3's adapter raises on it and loses the rollout.
 */
export function emitAglReward(
  reward: number | Readonly<Record<string, number>>,
  options: EmitAglRewardOptions = {}
): void {
  const dimensions: Array<[string, number]> =
    typeof reward === 'number' ? [[options.name ?? 'primary', reward]] : Object.entries(reward)
  if (dimensions.length === 0) throw new AglConfigError('emitAglReward: give a number or at least one named reward')
  for (const [name, value] of dimensions) {
    if (typeof name !== 'string' || name.length === 0)
      throw new AglConfigError('emitAglReward: reward names must be non-empty')
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new AglConfigError(`emitAglReward: reward "${name}" must be a finite number (got ${String(value)})`)
    }
  }
  const active = context.active()
  const scope = aglRolloutScope(active)
  const ids = options.rollout ?? scope
  if (!ids) {
    throw new AglConfigError(
      'emitAglReward: no rollout here: call it inside withAglRollout({ rolloutId, attemptId }, …) or pass ' +
        `{ rollout }; a reward span without ${AGL_ROLLOUT_ID} / ${AGL_ATTEMPT_ID} is dropped by the store`
    )
  }
  const attributes: Attributes = {
    ...options.attributes,
    [AGL_ROLLOUT_ID]: ids.rolloutId,
    [AGL_ATTEMPT_ID]: ids.attemptId,
  }
  dimensions.forEach(([name, value], i) => {
    attributes[`${AGL_REWARD_PREFIX}.${i}.name`] = name
    attributes[`${AGL_REWARD_PREFIX}.${i}.value`] = value
  })
  // Keep the reward in the rollout's trace: under the active span, else under the rollout's last agent span.
  const parent =
    trace.getSpanContext(active) === undefined && scope?.lastAgentSpan
      ? trace.setSpanContext(active, scope.lastAgentSpan)
      : active
  const tracer = options.tracer ?? trace.getTracer('@strands-vllm/agent-lightning')
  // The adapter gives the reward to the latest call that ended before the reward *started*. Span starts are whole
  // milliseconds and ends are not, so a reward emitted right after the last call could start "before" it ended and
  // go to the call before. Start it after the rollout's latest span end instead (zero length).
  const at = rewardTime(scope?.lastEndTime)
  tracer.startSpan(AGL_ANNOTATION_SPAN, { attributes, startTime: at }, parent).end(at)
}

/** Now, or 1 µs after `after` when that is not earlier than now. */
function rewardTime(after: HrTime | undefined): HrTime {
  const nowMs = Date.now()
  const now: HrTime = [Math.floor(nowMs / 1000), (nowMs % 1000) * 1e6]
  if (!after || hrTimeBefore(after, now)) return now
  const nanos = after[1] + 1000
  return nanos >= 1e9 ? [after[0] + 1, nanos - 1e9] : [after[0], nanos]
}
