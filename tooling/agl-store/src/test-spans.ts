import { type Attributes, context, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api'
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'

/** Real SDK spans with explicit times, collected in memory so a test can export them however it likes. */
export function spanRecorder(resource: Attributes = {}) {
  const memory = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'agl-store-test', ...resource }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  })
  const tracer = provider.getTracer('agl-store-test')
  /** Start and end a span: `start`/`end` in ms from a fixed epoch so ordering is exact. */
  const span = (
    name: string,
    options: { parent?: Span; start: number; end: number; attributes?: Attributes; error?: string }
  ): Span => {
    const ctx = options.parent ? trace.setSpan(ROOT_CONTEXT, options.parent) : ROOT_CONTEXT
    const s = tracer.startSpan(name, { startTime: EPOCH_MS + options.start, attributes: options.attributes ?? {} }, ctx)
    if (options.error) s.setStatus({ code: SpanStatusCode.ERROR, message: options.error })
    s.end(EPOCH_MS + options.end)
    return s
  }
  /** A span left open so children can be added; call `close(s, end)` later. */
  const open = (name: string, options: { parent?: Span; start: number; attributes?: Attributes }): Span => {
    const ctx = options.parent ? trace.setSpan(ROOT_CONTEXT, options.parent) : context.active()
    return tracer.startSpan(name, { startTime: EPOCH_MS + options.start, attributes: options.attributes ?? {} }, ctx)
  }
  const close = (s: Span, end: number): void => s.end(EPOCH_MS + end)
  return { span, open, close, spans: (): ReadableSpan[] => memory.getFinishedSpans(), provider }
}

export const EPOCH_MS = 1_760_000_000_000

export interface ExportOutcome {
  ok: boolean
  error: string | undefined
}

/** Export with the real OTLP/HTTP protobuf exporter (what the store accepts). */
export function exportProto(
  url: string,
  spans: ReadableSpan[],
  options: { compression?: 'gzip' } = {}
): Promise<ExportOutcome> {
  return exportWith(
    new OTLPProtoExporter({ url, ...(options.compression ? { compression: options.compression as never } : {}) }),
    spans
  )
}

/** Export with the real OTLP/HTTP JSON exporter (what the store refuses). */
export function exportJson(url: string, spans: ReadableSpan[]): Promise<ExportOutcome> {
  return exportWith(new OTLPJsonExporter({ url }), spans)
}

async function exportWith(
  exporter: OTLPProtoExporter | OTLPJsonExporter,
  spans: ReadableSpan[]
): Promise<ExportOutcome> {
  const outcome = await new Promise<ExportOutcome>((resolve) =>
    exporter.export(spans, (result) => resolve({ ok: result.code === 0, error: result.error?.message }))
  )
  await exporter.shutdown()
  return outcome
}
