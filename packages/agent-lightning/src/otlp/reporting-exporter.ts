import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { AglExportFailure } from '../errors.js'

type ResultCallback = Parameters<SpanExporter['export']>[1]

/** `ExportResultCode.SUCCESS` / `FAILED` in `@opentelemetry/core` (not a dependency of this package). */
const SUCCESS = 0
const FAILED = 1

/**
 * Wraps the OTLP exporter: sends one export at a time, in the order they were asked for, and keeps every failed
 * export, including the ones a `BatchSpanProcessor` timer sent (their failures only reach OpenTelemetry's global
 * error handler), so `flush()` can report them all.
 *
 * Why one at a time: `forceFlush()` exports the rest of the batch while a timer export may still be in flight, and
 * the later request can reach the store first. The v0.x store numbers spans in arrival order and v0.3's adapter lists
 * a rollout's LLM calls in that order, so a rollout's calls would come out of the trainer swapped.
 */
export class ReportingExporter implements SpanExporter {
  /** Settles when the last export asked for has answered. */
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly inner: SpanExporter,
    private readonly onFailure: (failure: AglExportFailure) => void
  ) {}

  export(spans: ReadableSpan[], resultCallback: ResultCallback): void {
    this.tail = this.tail.then(
      () =>
        new Promise<void>((done) => {
          const finish: ResultCallback = (result) => {
            if (result.code !== SUCCESS) this.onFailure(exportFailure(result.error, spans.length))
            resultCallback(result)
            done()
          }
          try {
            this.inner.export(spans, finish)
          } catch (error) {
            finish({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) })
          }
        })
    )
  }

  shutdown(): Promise<void> {
    return this.tail.then(() => this.inner.shutdown())
  }

  forceFlush(): Promise<void> {
    return this.tail.then(() => this.inner.forceFlush?.())
  }
}

/** What an OTLP export error says: `OTLPExporterError` carries the HTTP status (`code`) and the body (`data`). */
function exportFailure(error: unknown, spans: number): AglExportFailure {
  const { code, data, message } = (error ?? {}) as { code?: unknown; data?: unknown; message?: unknown }
  const status = typeof code === 'number' ? code : undefined
  return { status, reason: readableReason(data) ?? (typeof message === 'string' ? message : undefined), spans }
}

/** The text of a protobuf `google.rpc.Status` (the store's 400 body) or of a plain-text body. */
function readableReason(data: unknown): string | undefined {
  if (typeof data !== 'string' || data.length === 0) return undefined
  const status = rpcStatusMessage(Buffer.from(data, 'utf8'))
  if (status) return status.slice(0, 300)
  const runs = data.match(/[\x20-\x7e]{8,}/g)
  const text = runs?.join(' ').trim()
  return text ? text.slice(0, 300) : undefined
}

/** Field 2 (`message`) of a `google.rpc.Status`; undefined unless the bytes parse as one. */
function rpcStatusMessage(bytes: Uint8Array): string | undefined {
  let i = 0
  const varint = (): number | undefined => {
    let value = 0
    for (let shift = 0; shift < 35 && i < bytes.length; shift += 7) {
      const byte = bytes[i++]!
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
    }
    return undefined
  }
  let message: string | undefined
  while (i < bytes.length) {
    const tag = varint()
    if (tag === undefined) return undefined
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (wire === 0) {
      if (varint() === undefined) return undefined
    } else if (wire === 2) {
      const length = varint()
      if (length === undefined || i + length > bytes.length) return undefined
      if (field === 2) message = new TextDecoder().decode(bytes.subarray(i, i + length))
      i += length
    } else {
      return undefined
    }
  }
  return message
}
