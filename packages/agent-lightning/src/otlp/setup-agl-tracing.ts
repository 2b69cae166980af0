import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { AglExportError, type AglExportFailure } from '../errors.js'
import { AglRolloutSpanProcessor, type AglRolloutSpanProcessorOptions } from '../rollout-span-processor.js'
import { ReportingExporter } from './reporting-exporter.js'

export interface SetupAglTracingOptions {
  /** The v0.x store's root URL (`LightningStoreServer`, e.g. `http://localhost:4747`) or its `/v1/traces` URL. */
  storeUrl: string
  /** Extra HTTP headers on every export. */
  headers?: Record<string, string>
  /** `service.name` of the resource. Default `OTEL_SERVICE_NAME`, else `strands-agents`. */
  serviceName?: string
  /**
   * Register the provider and an AsyncLocalStorage context manager globally (the Strands SDK traces through the
   * global provider; the rollout ids travel in the context). Default true.
   */
  register?: boolean
  /** Options of the stamping processor. */
  spans?: AglRolloutSpanProcessorOptions
  /** More processors, after the export (an in-memory exporter for a printout, say). */
  processors?: SpanProcessor[]
  /** Per-export limit. Default 10 s. */
  exportTimeoutMs?: number
  /** How long spans wait in the batch before a background export. Default 1 s. */
  scheduledDelayMs?: number
}

/** Tracing set up for a v0.x store: protobuf OTLP export, rollout-id stamping, loud failures. */
export interface AglTracing {
  readonly provider: BasicTracerProvider
  /** The stamping processor; also the recorder's `spanTracker`. */
  readonly spans: AglRolloutSpanProcessor
  /** Where spans are sent. */
  readonly tracesUrl: string
  /**
   * Export every ended span now. Rejects with `AglExportError` when the store refused (or never got) any export
   * since the last `flush()`: what it said (HTTP 400 `Unsupported Content-Type`, 500 for unknown rollout ids…)
   * and what to check. A rejected export never crashes the process; it surfaces here.
   */
  flush(): Promise<void>
  /** Flush, then stop exporting (and unregister what `register` registered). Rejects like `flush()`. */
  shutdown(): Promise<void>
}

/**
 * OpenTelemetry for Agent Lightning v0.x: a provider that exports OTLP **protobuf** (the store answers JSON with
 * 400) to the store's `/v1/traces`, with `AglRolloutSpanProcessor` first so every span of a rollout carries its
 * ids. Needs the optional peers `@opentelemetry/sdk-trace-base`, `exporter-trace-otlp-proto`, `resources` and
 * `context-async-hooks`.
 */
export function setupAglTracing(options: SetupAglTracingOptions): AglTracing {
  const tracesUrl = tracesUrlOf(options.storeUrl)
  const failures: AglExportFailure[] = []
  const exporter = new ReportingExporter(
    new OTLPTraceExporter({
      url: tracesUrl,
      timeoutMillis: options.exportTimeoutMs ?? 10_000,
      ...(options.headers ? { headers: options.headers } : {}),
    }),
    (failure) => failures.push(failure)
  )
  const spans = new AglRolloutSpanProcessor(options.spans)
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'strands-agents',
    }),
    spanProcessors: [
      spans,
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.scheduledDelayMs ?? 1000 }),
      ...(options.processors ?? []),
    ],
  })
  let registeredTracer = false
  let contextManager: AsyncLocalStorageContextManager | undefined
  if (options.register ?? true) {
    registeredTracer = trace.setGlobalTracerProvider(provider)
    const manager = new AsyncLocalStorageContextManager().enable()
    if (context.setGlobalContextManager(manager)) contextManager = manager
    else manager.disable()
  }

  const flush = async (): Promise<void> => {
    let flushError: unknown
    try {
      await provider.forceFlush()
    } catch (error) {
      flushError = error
    }
    const failed = failures.splice(0)
    if (failed.length === 0 && flushError !== undefined) {
      failed.push({ status: undefined, reason: flushMessage(flushError), spans: 0 })
    }
    if (failed.length > 0) {
      throw new AglExportError(describeExportFailures(tracesUrl, failed), { failures: failed, cause: flushError })
    }
  }

  return {
    provider,
    spans,
    tracesUrl,
    flush,
    async shutdown() {
      try {
        await flush()
      } finally {
        await provider.shutdown().catch(() => undefined)
        if (registeredTracer) trace.disable()
        if (contextManager) context.disable()
      }
    },
  }
}

function tracesUrlOf(storeUrl: string): string {
  const base = storeUrl.replace(/\/+$/, '')
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`
}

/** One message for all failures since the last flush, with what to check for the first one. */
export function describeExportFailures(tracesUrl: string, failures: readonly AglExportFailure[]): string {
  const spans = failures.reduce((n, f) => n + f.spans, 0)
  const first = failures[0]
  const status = first?.status
  const said = first?.reason ? `: ${first.reason}` : ''
  const what = status === undefined ? 'no answer' : `HTTP ${status}`
  return (
    `the Agent Lightning store at ${tracesUrl} refused ${spans} span(s) in ${failures.length} export(s) ` +
    `(${what}${said}); ${hintFor(status, first?.reason)}`
  )
}

function hintFor(status: number | undefined, reason: string | undefined): string {
  if (status === undefined) return 'is the store running, and reachable from this process?'
  if (status === 400 && reason?.includes('Content-Type')) {
    return (
      'the store takes OTLP protobuf only: export with @opentelemetry/exporter-trace-otlp-proto (setupAglTracing ' +
      "does), not exporter-trace-otlp-http's JSON"
    )
  }
  if (status === 400) return 'the store could not parse the payload'
  if (status === 500) {
    return (
      'the store could not file the spans, usually because it does not know their rollout or attempt ' +
      "(its log says 'Rollout … not found'): use the ids its start_rollout (or the runner) gave this rollout"
    )
  }
  if (status === 404 || status === 405) {
    return 'nothing receives OTLP at this URL: point storeUrl at the LightningStoreServer (it serves /v1/traces)'
  }
  if (status === 401 || status === 403)
    return 'the store refused the request: check the headers given to setupAglTracing'
  return 'see the store log'
}

function flushMessage(error: unknown): string {
  const list = Array.isArray(error) ? error : [error]
  return list.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')
}
