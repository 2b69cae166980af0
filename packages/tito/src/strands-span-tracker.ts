import { type Attributes, type Context, type Span, trace } from '@opentelemetry/api'

/** The SDK's span for one turn of the agent loop (model call, then tools), a child of `invoke_agent`. */
const CYCLE_SPAN_NAME = 'execute_agent_loop_cycle'

/** The parts of an SDK span the tracker reads (structurally compatible with `@opentelemetry/sdk-trace-base`). */
interface StartedSpan extends Span {
  readonly name?: string
  readonly attributes?: Attributes
}

interface AgentIdentity {
  id?: string | undefined
  name?: string | undefined
}

/** What `StrandsSpanTracker.findAgentSpan` returns. */
export type AgentSpanLookup = { span: Span } | { ambiguous: number } | undefined

/**
 * A `SpanProcessor` that remembers the Strands SDK's open `invoke_agent` spans, so the recorder can
 * parent its per-call span to the right agent's span. The SDK never makes its spans active inside
 * hooks (its `chat` span is not even active inside `Model.stream()`), so this is the only way to find
 * them. Spans are matched by `gen_ai.agent.id` + `gen_ai.agent.name`; when two open spans match
 * (concurrent agents with the same id and name), the lookup says so instead of guessing.
 *
 * It also remembers each agent's open `execute_agent_loop_cycle` span: a call span goes under the cycle that runs
 * it, so a trace lists a rollout's calls in call order by its tree alone. (Left directly under `invoke_agent`, Agent
 * Lightning v0.3's adapter re-parents each call under whatever span encloses it in time, which with millisecond
 * start times is sometimes its cycle and sometimes not, and its triplets then come out of order.)
 *
 * Register it on your provider: `new BasicTracerProvider({ spanProcessors: [tracker, exportProcessor] })`.
 */
export class StrandsSpanTracker {
  private readonly open = new Map<string, { span: Span; id: string; name: string }>()
  /** `invoke_agent` span id → that agent's open cycle span. */
  private readonly cycles = new Map<string, Span>()

  onStart(span: StartedSpan, parentContext: Context): void {
    const name = span.name ?? ''
    if (name === CYCLE_SPAN_NAME) {
      const agentSpanId = trace.getSpanContext(parentContext)?.spanId
      if (agentSpanId !== undefined && this.open.has(agentSpanId)) this.cycles.set(agentSpanId, span)
      return
    }
    if (!name.startsWith('invoke_agent')) return
    const attrs = span.attributes ?? {}
    const id = attrs['gen_ai.agent.id']
    const agentName = attrs['gen_ai.agent.name']
    this.open.set(span.spanContext().spanId, {
      span,
      id: typeof id === 'string' ? id : '',
      name: typeof agentName === 'string' ? agentName : '',
    })
  }

  onEnd(span: { spanContext(): { spanId: string } }): void {
    const spanId = span.spanContext().spanId
    this.open.delete(spanId)
    this.cycles.delete(spanId)
    for (const [agentSpanId, cycle] of this.cycles) {
      if (cycle.spanContext().spanId === spanId) this.cycles.delete(agentSpanId)
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    this.open.clear()
    this.cycles.clear()
    return Promise.resolve()
  }

  /** The open `invoke_agent` span of this agent, `{ ambiguous: n }` when n open spans match, else undefined. */
  findAgentSpan(agent: AgentIdentity): AgentSpanLookup {
    let found: Span | undefined
    let count = 0
    for (const entry of this.open.values()) {
      if (entry.id === (agent.id ?? '') && entry.name === (agent.name ?? '')) {
        found = entry.span
        count++
      }
    }
    if (count > 1) return { ambiguous: count }
    return found ? { span: found } : undefined
  }

  /**
   * Where this agent's next call span goes: its open `execute_agent_loop_cycle` span, else its `invoke_agent` span
   * ({@link findAgentSpan}, ambiguity included).
   */
  findCallParent(agent: AgentIdentity): AgentSpanLookup {
    const found = this.findAgentSpan(agent)
    if (!found || !('span' in found)) return found
    return { span: this.cycles.get(found.span.spanContext().spanId) ?? found.span }
  }
}
