export {
  type AglTracing,
  describeExportFailures,
  type SetupAglTracingOptions,
  setupAglTracing,
} from './setup-agl-tracing.js'
