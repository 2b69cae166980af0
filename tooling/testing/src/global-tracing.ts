import { context, type TracerProvider, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'

/**
 * Makes `provider` the global tracer provider with an AsyncLocalStorage context manager (so an active rollout span
 * reaches the recorder's hooks), the way an application sets OpenTelemetry up. Returns the teardown: shut the
 * provider down (flushing its exporters) and disable both globals, so the next test file starts clean. Made for
 * `beforeAll(() => installGlobalTracing(provider))`.
 */
export function installGlobalTracing(provider: TracerProvider & { shutdown(): Promise<void> }): () => Promise<void> {
  trace.setGlobalTracerProvider(provider)
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  return async () => {
    await provider.shutdown()
    trace.disable()
    context.disable()
  }
}
