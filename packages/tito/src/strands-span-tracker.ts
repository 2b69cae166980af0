import type { Attributes, Context, Span } from '@opentelemetry/api'

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
 * Register it on your provider: `new BasicTracerProvider({ spanProcessors: [tracker, exportProcessor] })`.
 */
export class StrandsSpanTracker {
  private readonly open = new Map<string, { span: Span; id: string; name: string }>()

  onStart(span: StartedSpan, _parentContext: Context): void {
    const name = span.name ?? ''
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
    this.open.delete(span.spanContext().spanId)
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    this.open.clear()
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
}
