import { hex, keyValues, type PbResourceSpans, seconds } from './otlp-codec.js'
import type { AttributeValue, SpanStatusCode, StoreSpan } from './span.js'

export const ROLLOUT_ID = 'agentlightning.rollout_id'
export const ATTEMPT_ID = 'agentlightning.attempt_id'
export const SPAN_SEQUENCE_ID = 'agentlightning.span_sequence_id'

const STATUS: Record<number, SpanStatusCode> = { 0: 'UNSET', 1: 'OK', 2: 'ERROR' }

/** A span before the store gives it a sequence id (`sequence_id` -1 means "issue one"). */
export type DecodedSpan = StoreSpan

/**
 * v0.3's `spans_from_proto`: each span's rollout and attempt come from its own attributes first, then from its
 * resource's; a span with either missing is dropped (one warning each). `agentlightning.span_sequence_id` is kept
 * when it parses as a non-negative integer.
 */
export function spansFromOtlp(
  resourceSpans: readonly PbResourceSpans[],
  warn: (message: string) => void
): { spans: DecodedSpan[]; dropped: number } {
  const out: DecodedSpan[] = []
  let dropped = 0
  for (const rs of resourceSpans) {
    const resourceAttributes = keyValues(rs.resource?.attributes)
    const resource = { attributes: resourceAttributes, schema_url: rs.schemaUrl ?? '' }
    for (const scope of rs.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const attributes = keyValues(span.attributes)
        const rolloutId = pick(attributes[ROLLOUT_ID], resourceAttributes[ROLLOUT_ID])
        const attemptId = pick(attributes[ATTEMPT_ID], resourceAttributes[ATTEMPT_ID])
        const sequenceRaw = attributes[SPAN_SEQUENCE_ID] ?? resourceAttributes[SPAN_SEQUENCE_ID] ?? null
        if (rolloutId === null || attemptId === null) {
          warn(
            `span "${span.name}" dropped: it needs ${ROLLOUT_ID} and ${ATTEMPT_ID} (span or resource attribute); ` +
              `got rollout_id=${rolloutId ?? 'None'}, attempt_id=${attemptId ?? 'None'}`
          )
          dropped++
          continue
        }
        const sequence = sequenceId(sequenceRaw, warn)
        out.push({
          rollout_id: rolloutId,
          attempt_id: attemptId,
          sequence_id: sequence,
          trace_id: hex(span.traceId, 32),
          span_id: hex(span.spanId, 16),
          parent_id: span.parentSpanId && span.parentSpanId.length > 0 ? hex(span.parentSpanId, 16) : null,
          name: span.name,
          status: { status_code: STATUS[span.status?.code ?? 0] ?? 'UNSET', description: span.status?.message || null },
          attributes,
          events: (span.events ?? []).map((e) => ({
            name: e.name,
            attributes: keyValues(e.attributes),
            timestamp: seconds(e.timeUnixNano),
          })),
          links: (span.links ?? []).map((l) => {
            const linkAttributes = keyValues(l.attributes)
            return {
              context: { trace_id: hex(l.traceId, 32), span_id: hex(l.spanId, 16) },
              attributes: Object.keys(linkAttributes).length > 0 ? linkAttributes : null,
            }
          }),
          start_time: seconds(span.startTimeUnixNano),
          end_time: seconds(span.endTimeUnixNano),
          resource,
        })
      }
    }
  }
  return { spans: out, dropped }
}

/** Span attribute if present (even an empty string), else the resource's; rendered with Python's `str()`. */
function pick(spanValue: AttributeValue | undefined, resourceValue: AttributeValue | undefined): string | null {
  const value = spanValue !== undefined && spanValue !== null ? spanValue : resourceValue
  if (value === undefined || value === null) return null
  return pyStr(value)
}

function pyStr(value: AttributeValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function sequenceId(raw: AttributeValue, warn: (message: string) => void): number {
  if (raw === null) return -1
  const text = pyStr(raw).trim()
  if (!/^[+-]?\d+$/.test(text)) {
    warn(`${SPAN_SEQUENCE_ID}=${pyStr(raw)} is not an integer; the store issues one`)
    return -1
  }
  const value = Number(text)
  if (value < 0) {
    warn(`${SPAN_SEQUENCE_ID}=${value} is negative; the store issues one`)
    return -1
  }
  return value
}
