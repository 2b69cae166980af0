import { calculatorPolicy, type MockVLLM, startMockVLLM } from '../../../packages/mock-server/src/index.js'
import { runRollout } from './rollout.js'

export interface SoakOptions {
  /** Rollouts run one after another. */
  sequential: number
  /** Rollouts started at once (one batch). */
  concurrent: number
  /** Rollouts run before the heap baseline is taken (JIT, tokenizer and template caches warm up). Default 20. */
  warmup?: number
  /** Heap growth allowed between the baseline and the end, in MiB. Default 32. */
  maxHeapGrowthMiB?: number
  /** Progress lines. Default: none. */
  log?: (line: string) => void
}

export interface PhaseSummary {
  rollouts: number
  seconds: number
  rolloutsPerSecond: number
  /** Model calls recorded (two per rollout: the tool call, then the answer). */
  calls: number
  failures: number
  /** Rollouts whose recorded ids differ from the ids the server sent to that rollout. */
  crossTalk: number
}

export interface SoakSummary {
  sequential: PhaseSummary
  concurrent: PhaseSummary
  heapMiB: { baseline: number; afterSequential: number; afterConcurrent: number; growth: number }
  /** False when node ran without `--expose-gc`: heap figures are then noisy. */
  gcExposed: boolean
  ok: boolean
  problems: string[]
}

const MiB = 1024 * 1024

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) {
    gc()
    gc()
  }
  return process.memoryUsage().heapUsed / MiB
}

/**
 * One rollout, checked: a fresh Agent + VLLMModel + recorder tagged with its own `x-rollout` header, two exact
 * calls, and the recorder's ids equal to what the server recorded for requests carrying that tag (no cross-talk).
 */
async function checkedRollout(mock: MockVLLM, n: number): Promise<{ ok: boolean; crossTalk: boolean; calls: number }> {
  const tag = `soak-${n}`
  const a = 2 + (n % 97)
  const b = 3 + ((n * 7) % 89)
  const { recorder, error } = await runRollout({
    baseUrl: mock.baseUrl,
    question: `What is ${a} * ${b}?`,
    headers: { 'x-rollout': tag },
    rolloutId: tag,
  })
  const history = recorder.history
  const sent = mock.requests.filter((r) => r.headers['x-rollout'] === tag && r.path.endsWith('/chat/completions'))
  const ok = !error && history.length === 2 && history.every((c) => c.status === 'exact')
  let crossTalk = sent.length !== history.length
  history.forEach((call, i) => {
    const request = sent[i]
    if (!request || call.rolloutId !== tag) crossTalk = true
    else if (!sameIds(call.tokenIds, request.tokenIds) || !sameIds(call.promptTokenIds, request.promptTokenIds))
      crossTalk = true
  })
  return { ok, crossTalk, calls: history.length }
}

function sameIds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function phase(rollouts: number, startMs: number, results: Awaited<ReturnType<typeof checkedRollout>>[]): PhaseSummary {
  const seconds = (performance.now() - startMs) / 1000
  return {
    rollouts,
    seconds: round(seconds),
    rolloutsPerSecond: round(rollouts / seconds),
    calls: results.reduce((n, r) => n + r.calls, 0),
    failures: results.filter((r) => !r.ok).length,
    crossTalk: results.filter((r) => r.crossTalk).length,
  }
}

const round = (x: number): number => Math.round(x * 100) / 100

/**
 * The soak: `sequential` rollouts one by one, then `concurrent` at once, against one mock server. The mock's
 * request log is cleared after each check so the heap figures measure the packages, not the log.
 */
export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const log = options.log ?? (() => {})
  const mock = await startMockVLLM({ policy: calculatorPolicy(), seed: 11 })
  try {
    let n = 0
    for (let i = 0; i < (options.warmup ?? 20); i++) await checkedRollout(mock, n++)
    mock.requests.length = 0
    const baseline = heapMiB()
    log(`warm-up done, heap ${baseline.toFixed(1)} MiB`)

    const seqResults: Awaited<ReturnType<typeof checkedRollout>>[] = []
    const seqStart = performance.now()
    for (let i = 0; i < options.sequential; i++) {
      seqResults.push(await checkedRollout(mock, n++))
      mock.requests.length = 0
      if ((i + 1) % 250 === 0) log(`sequential ${i + 1}/${options.sequential}`)
    }
    const sequential = phase(options.sequential, seqStart, seqResults)
    const afterSequential = heapMiB()

    const conStart = performance.now()
    const first = n
    n += options.concurrent
    const conResults = await Promise.all(
      Array.from({ length: options.concurrent }, (_, i) => checkedRollout(mock, first + i))
    )
    const concurrent = phase(options.concurrent, conStart, conResults)
    mock.requests.length = 0
    const afterConcurrent = heapMiB()

    const growth = round(afterConcurrent - baseline)
    const maxGrowth = options.maxHeapGrowthMiB ?? 32
    const problems: string[] = []
    for (const [name, p] of [
      ['sequential', sequential],
      ['concurrent', concurrent],
    ] as const) {
      if (p.crossTalk > 0) problems.push(`${name}: ${p.crossTalk} rollouts recorded ids the server did not send them`)
      if (p.failures > 0) problems.push(`${name}: ${p.failures} rollouts failed or were not exact`)
    }
    if (growth > maxGrowth) problems.push(`heap grew ${growth} MiB (bound ${maxGrowth} MiB)`)
    return {
      sequential,
      concurrent,
      heapMiB: {
        baseline: round(baseline),
        afterSequential: round(afterSequential),
        afterConcurrent: round(afterConcurrent),
        growth,
      },
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      ok: problems.length === 0,
      problems,
    }
  } finally {
    await mock.close()
  }
}

/** The summary as a table, for the script's output. */
export function formatSoakSummary(s: SoakSummary): string {
  const row = (name: string, p: PhaseSummary) =>
    `| ${name} | ${p.rollouts} | ${p.calls} | ${p.seconds} | ${p.rolloutsPerSecond} | ${p.failures} | ${p.crossTalk} |`
  return [
    '| phase | rollouts | model calls | seconds | rollouts/s | failures | cross-talk |',
    '| - | - | - | - | - | - | - |',
    row('sequential', s.sequential),
    row('concurrent', s.concurrent),
    '',
    `heap (MiB${s.gcExposed ? ', after gc' : ', no --expose-gc: noisy'}): baseline ${s.heapMiB.baseline}, ` +
      `after sequential ${s.heapMiB.afterSequential}, after concurrent ${s.heapMiB.afterConcurrent}, ` +
      `growth ${s.heapMiB.growth}`,
    s.ok ? 'soak OK' : `soak FAILED:\n- ${s.problems.join('\n- ')}`,
  ].join('\n')
}
