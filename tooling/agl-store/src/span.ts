/** v0.3's `agentlightning.types.Span`, as the store keeps a span it accepted (field names as in Python). */

/** An OTLP attribute value decoded as the store decodes it (bytes become hex strings). */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue }
export type Attributes = Record<string, AttributeValue>

export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR'

export interface StoreSpan {
  rollout_id: string
  attempt_id: string
  /** Issued by the store per rollout (1, 2, …) unless the span carried `agentlightning.span_sequence_id`. */
  sequence_id: number
  /** 32 hex digits. */
  trace_id: string
  /** 16 hex digits. */
  span_id: string
  parent_id: string | null
  name: string
  status: { status_code: SpanStatusCode; description: string | null }
  attributes: Attributes
  events: Array<{ name: string; attributes: Attributes; timestamp: number | null }>
  links: Array<{ context: { trace_id: string; span_id: string }; attributes: Attributes | null }>
  /** Seconds since the epoch (float), null when the span had none. */
  start_time: number | null
  end_time: number | null
  resource: { attributes: Attributes; schema_url: string }
}

/** v0.3's `Triplet` as `TracerTraceToTriplet` builds it. */
export interface Triplet {
  prompt: { token_ids: number[]; raw_content: AttributeValue; image_urls: string[] }
  /** `logprobs` is present only when the span had a `logprobs.content` JSON string (its parsed value). */
  response: { token_ids: number[]; raw_content: AttributeValue; logprobs?: unknown }
  reward: number | null
  metadata: {
    request: AttributeValue
    response: AttributeValue
    response_id: string | null
    /** The enclosing agent's name, or `*` when no agent filter is set and no ancestor names one. */
    agent_name: string
  }
}
