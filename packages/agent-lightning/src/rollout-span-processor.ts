import { type Attributes, type Context, context, type HrTime, type Span, trace } from '@opentelemetry/api'
import { type AgentSpanLookup, StrandsSpanTracker } from '@strands-vllm/tito'
import { AGL_AGENT_NAME, AGL_ATTEMPT_ID, AGL_ROLLOUT_ID } from './agl-span-names.js'
import { hrTimeBefore } from './hr-time.js'
import { type AglRolloutIds, type AglRolloutScope, aglRolloutScope } from './rollout-scope.js'

/** The parts of an SDK span the processor reads (structurally `@opentelemetry/sdk-trace-base`'s spans). */
interface StartedSpan extends Span {
  readonly name?: string
  readonly attributes?: Attributes
}

interface EndedSpan {
  readonly name: string
  readonly endTime?: HrTime
  readonly attributes: Attributes
  readonly resource?: { readonly attributes: Attributes }
  spanContext(): { spanId: string }
}

interface OpenAgent {
  span: Span
  id: string
  name: string
}

export interface AglRolloutSpanProcessorOptions {
  /** Ids for spans started outside any `withAglRollout` (a process that runs exactly one rollout). */
  defaultRollout?: AglRolloutIds
  /**
   * Copy Strands' `gen_ai.agent.name` to `agent.name` on `invoke_agent` spans that lack it, which is what the
   * adapter's `agent_match` and `agent_name` read. Default true.
   */
  agentName?: boolean
  /** Told about every span that ends without rollout ids (the store drops those). Default: one `console.warn`. */
  onUnstamped?: (spanName: string) => void
}

/**
 * A `SpanProcessor` for Agent Lightning v0.x's store: stamps every span started inside `withAglRollout(ids, …)`
 * with `agentlightning.rollout_id` / `attempt_id` (the store drops spans without them), puts `agent.name` on the
 * Strands agent span, and counts spans that end unstamped. Spans started with a context that lost the ids
 * inherit them from their parent span.
 *
 * It is also a `StrandsSpanTracker` whose lookup stays inside the current rollout: give it to
 * `VLLMTokenRecorder({ spanTracker })` and each call span nests under its own rollout's `invoke_agent` span, even
 * when concurrent agents share an id and a name.
 */
export class AglRolloutSpanProcessor extends StrandsSpanTracker {
  private readonly scopes = new Map<string, AglRolloutScope>()
  private readonly agents = new WeakMap<AglRolloutScope, Map<string, OpenAgent>>()
  private readonly defaultScope: AglRolloutScope | undefined
  private readonly copyAgentName: boolean
  private readonly onUnstamped: (spanName: string) => void
  private unstamped = 0

  constructor(options: AglRolloutSpanProcessorOptions = {}) {
    super()
    const fallback = options.defaultRollout
    this.defaultScope = fallback ? { ...fallback, lastAgentSpan: undefined, spans: 0 } : undefined
    this.copyAgentName = options.agentName ?? true
    let warned = false
    this.onUnstamped =
      options.onUnstamped ??
      ((name) => {
        if (warned) return
        warned = true
        console.warn(
          `AglRolloutSpanProcessor: span "${name}" ended without ${AGL_ROLLOUT_ID} / ${AGL_ATTEMPT_ID}, so the ` +
            'Agent Lightning store will drop it: run the rollout inside withAglRollout({ rolloutId, attemptId }, …) ' +
            '(later spans without ids are only counted, in unstampedSpans)'
        )
      })
  }

  /** Spans that ended without rollout ids (dropped by the store). */
  get unstampedSpans(): number {
    return this.unstamped
  }

  override onStart(span: StartedSpan, parentContext: Context): void {
    const scope = this.scopeOf(parentContext)
    const attributes = span.attributes ?? {}
    const spanId = span.spanContext().spanId
    if (scope) {
      if (attributes[AGL_ROLLOUT_ID] === undefined) span.setAttribute(AGL_ROLLOUT_ID, scope.rolloutId)
      if (attributes[AGL_ATTEMPT_ID] === undefined) span.setAttribute(AGL_ATTEMPT_ID, scope.attemptId)
      scope.spans++
      this.scopes.set(spanId, scope)
    }
    if ((span.name ?? '').startsWith('invoke_agent')) {
      const agentName = attributes['gen_ai.agent.name']
      if (this.copyAgentName && attributes[AGL_AGENT_NAME] === undefined && typeof agentName === 'string') {
        span.setAttribute(AGL_AGENT_NAME, agentName)
      }
      if (scope) {
        scope.lastAgentSpan = span.spanContext()
        const id = attributes['gen_ai.agent.id']
        let open = this.agents.get(scope)
        if (!open) {
          open = new Map()
          this.agents.set(scope, open)
        }
        open.set(spanId, {
          span,
          id: typeof id === 'string' ? id : '',
          name: typeof agentName === 'string' ? agentName : '',
        })
      }
    }
    super.onStart(span, parentContext)
  }

  override onEnd(span: EndedSpan): void {
    const spanId = span.spanContext().spanId
    const scope = this.scopes.get(spanId)
    if (scope) {
      this.scopes.delete(spanId)
      this.agents.get(scope)?.delete(spanId)
      if (span.endTime && (!scope.lastEndTime || hrTimeBefore(scope.lastEndTime, span.endTime))) {
        scope.lastEndTime = span.endTime
      }
    }
    const has = (key: string): boolean =>
      span.attributes[key] !== undefined || span.resource?.attributes[key] !== undefined
    if (!has(AGL_ROLLOUT_ID) || !has(AGL_ATTEMPT_ID)) {
      this.unstamped++
      this.onUnstamped(span.name)
    }
    super.onEnd(span)
  }

  /**
   * The open `invoke_agent` span of this agent in the current rollout (by `gen_ai.agent.id` + name); outside any
   * rollout, the plain tracker's lookup over all open agent spans.
   */
  override findAgentSpan(agent: { id?: string | undefined; name?: string | undefined }): AgentSpanLookup {
    const scope = this.scopeOf(context.active())
    if (!scope || scope === this.defaultScope) return super.findAgentSpan(agent)
    const matches = [...(this.agents.get(scope)?.values() ?? [])].filter(
      (a) => a.id === (agent.id ?? '') && a.name === (agent.name ?? '')
    )
    if (matches.length > 1) return { ambiguous: matches.length }
    const [match] = matches
    return match ? { span: match.span } : undefined
  }

  override shutdown(): Promise<void> {
    this.scopes.clear()
    return super.shutdown()
  }

  /** The rollout of a context: its own ids, else its span's, else the default. */
  private scopeOf(ctx: Context): AglRolloutScope | undefined {
    const own = aglRolloutScope(ctx)
    if (own) return own
    const parent = trace.getSpan(ctx)?.spanContext().spanId
    return (parent === undefined ? undefined : this.scopes.get(parent)) ?? this.defaultScope
  }
}
