import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { calculatorPolicy, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { type TitoCallRecord, writeTitoJsonl } from '@strands-vllm/tito'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RolloutOutcome, runRollout } from './rollout.js'

/** A key nobody could mistake for anything else: any hit below is a leak. */
const SECRET = 'sk-strands-vllm-SECRET-1234567890'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
let mock: MockVLLM
let refusedUrl: string
let dir: string
const logs: string[] = []
const outcomes: Array<{ label: string; outcome: RolloutOutcome }> = []

/** Every text reachable from an error: message, stack, responseBody, partial, own properties, the cause chain. */
function errorTexts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 8) return error === undefined ? [] : [inspect(error, { depth: 6 })]
  const e = error as Error & { responseBody?: unknown; partial?: unknown; cause?: unknown }
  return [
    e.message,
    e.stack ?? '',
    String(e.responseBody ?? ''),
    JSON.stringify(e.partial ?? null),
    inspect(e, { depth: 6, showHidden: true }),
    ...errorTexts(e.cause, depth + 1),
  ]
}

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider)
  mock = await startMockVLLM({ policy: calculatorPolicy() })
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  refusedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}/v1`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  dir = await mkdtemp(join(tmpdir(), 'strands-vllm-secret-'))

  // Capture everything the rollouts print, through every console method and both streams.
  const capture =
    (name: string) =>
    (...args: unknown[]) => {
      logs.push(`${name}: ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 6 }))).join(' ')}`)
    }
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(capture(m))
    ),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(String(chunk))
      return true
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(String(chunk))
      return true
    }),
  ]
  try {
    const runs: Array<[string, Parameters<typeof runRollout>[0]]> = [
      ['success', { baseUrl: mock.baseUrl }],
      ['429', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'status:429' }],
      ['429 retried', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'status:429', retry: true }],
      ['400 context', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'context-variant:2' }],
      ['400 context, flat shape', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'context-variant:3,flat-error-shape' }],
      ['503', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'status:503' }],
      ['404', { baseUrl: mock.baseUrl, modelId: 'no-such-model' }],
      ['connection refused', { baseUrl: refusedUrl }],
      ['mid-stream error', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'mid-stream-error:2' }],
      ['socket closed', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'close-mid-body:2' }],
      ['malformed chunk', { baseUrl: mock.baseUrl, faultOnFirstAttempt: 'malformed-chunk:1' }],
      // Token-in: the key also travels to /tokenize (the server renderer) and /v1/completions.
      ['token-in', { baseUrl: mock.baseUrl, tokenIn: 'server' }],
      ['token-in 503', { baseUrl: mock.baseUrl, tokenIn: 'server', faultOnFirstAttempt: 'status:503' }],
      ['token-in connection refused', { baseUrl: refusedUrl, tokenIn: 'server' }],
      [
        'token-in mid-stream error',
        { baseUrl: mock.baseUrl, tokenIn: true, faultOnFirstAttempt: 'mid-stream-error:2' },
      ],
    ]
    for (const [label, options] of runs) {
      outcomes.push({ label, outcome: await runRollout({ ...options, apiKey: SECRET, rolloutId: label }) })
    }
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
})

afterAll(async () => {
  await mock?.close()
  await provider.shutdown()
  trace.disable()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe(`secret hygiene: the API key never leaves the Authorization header`, () => {
  it('is not vacuous: the key reached the server, and the failures happened', () => {
    const auth = mock.requests.map((r) => r.headers.authorization)
    expect(auth.length).toBeGreaterThan(10)
    for (const header of auth) expect(header).toBe(`Bearer ${SECRET}`)
    const failed = outcomes.filter((o) => o.outcome.error).map((o) => o.label)
    expect(failed).toEqual([
      '429',
      '400 context',
      '400 context, flat shape',
      '503',
      '404',
      'connection refused',
      'mid-stream error',
      'socket closed',
      'malformed chunk',
      'token-in 503',
      'token-in connection refused',
      'token-in mid-stream error',
    ])
    expect(mock.requests.some((r) => r.path === '/tokenize')).toBe(true)
  })

  it('0 hits in span names, attributes, events and statuses', () => {
    const spans = exporter.getFinishedSpans()
    expect(spans.length).toBeGreaterThan(10)
    const text = JSON.stringify(
      spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links }))
    )
    expect(text).toContain('exception') // the failing calls recorded their exceptions
    expect(text.split(SECRET).length - 1).toBe(0)
  })

  it('0 hits in the exported JSONL', async () => {
    const history: TitoCallRecord[] = outcomes.flatMap((o) => o.outcome.recorder.history)
    const path = join(dir, 'calls.jsonl')
    await writeTitoJsonl(path, history)
    const text = await readFile(path, 'utf8')
    expect(text.split('\n').length).toBeGreaterThan(10)
    expect(text.split(SECRET).length - 1).toBe(0)
  })

  it('0 hits in error messages, stacks, response bodies, partials and cause chains', () => {
    const texts = outcomes.flatMap((o) => errorTexts(o.outcome.error))
    expect(texts.length).toBeGreaterThan(20)
    const hits = texts.filter((t) => t.includes(SECRET))
    expect(hits).toEqual([])
  })

  it('0 hits in console output and stdout/stderr', () => {
    expect(logs.filter((l) => l.includes(SECRET))).toEqual([])
  })
})
