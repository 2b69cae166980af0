import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultPolicy, type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import { exactFields, ScriptedModel, type ScriptedTurn, testAgent } from '@strands-vllm/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { TitoJsonlSink } from './jsonl-sink.js'
import { VLLMTokenRecorder } from './recorder.js'
import { exactCall } from './testing/exact-call.js'
import { fromTitoRecords, parseTitoJsonl, readTitoJsonl, type TitoJsonlWarning, toTitoJsonl } from './tito-jsonl.js'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tito-sink-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function agentWith(recorder: VLLMTokenRecorder, turns: ScriptedTurn[]) {
  return testAgent({
    model: new ScriptedModel(turns),
    plugins: [recorder],
  })
}

/** Three calls of agent k, each prompt extending the previous prompt + response. */
function turns(k: number): ScriptedTurn[] {
  let prompt = [k, k]
  return [0, 1, 2].map((i) => {
    const response = [200 + i]
    const turn = {
      text: `agent ${k} turn ${i}`,
      fields: exactFields(prompt, response),
      delayMs: ((k * 7 + i * 3) % 5) + 1,
    }
    prompt = [...prompt, ...response, 198, 300 + i]
    return turn
  })
}

describe('JSONL sink (issue 16)', () => {
  it('appends each finished call as a canonical line, with the prefix check of the calls before it', async () => {
    const path = join(dir, 'calls.jsonl')
    const seen: TitoCallRecord[] = []
    const recorder = new VLLMTokenRecorder({ rolloutId: 'r-1', sink: path, onRecord: (r) => seen.push(r) })
    const agent = agentWith(recorder, [
      { text: 'a', fields: exactFields([1, 2], [3]) },
      { text: 'b', fields: exactFields([1, 2, 3, 198, 4], [5]) },
      { error: new Error('boom') },
    ])
    await agent.invoke('one')
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2) // written before the invocation ended
    await agent.invoke('two')
    await expect(agent.invoke('three')).rejects.toThrow('boom')
    const text = await readFile(path, 'utf8')
    // Same bytes as the batch writer for the same history.
    expect(text).toBe(toTitoJsonl(recorder.history))
    expect(seen).toEqual(recorder.history)
    expect(parseTitoJsonl(text).map((r) => r.checks.prefix.relation)).toEqual(['first', 'extends', 'excluded'])
  })

  it('is safe with concurrent rollouts sharing one file, and one file per rollout', async () => {
    const shared = join(dir, 'shared.jsonl')
    const runs = [0, 1, 2, 3].map((k) => {
      const recorder = new VLLMTokenRecorder({
        rolloutId: `r-${k}`,
        sink: { path: (c) => (k < 2 ? shared : join(dir, 'per-rollout', `${c.rolloutId}.jsonl`)) },
      })
      return { recorder, agent: agentWith(recorder, turns(k)) }
    })
    await Promise.all(
      runs.map(async ({ agent }) => {
        for (let i = 0; i < 3; i++) await agent.invoke(`go ${i}`)
      })
    )
    const sharedCalls = fromTitoRecords(await readTitoJsonl(shared))
    expect(sharedCalls).toHaveLength(6)
    expect(new Set(sharedCalls.map((c) => c.rolloutId))).toEqual(new Set(['r-0', 'r-1']))
    const { trajectories } = buildTrajectories(sharedCalls)
    expect(trajectories.map((t) => t.rolloutId).sort()).toEqual(['r-0', 'r-1'])
    for (const k of [2, 3]) {
      const own = fromTitoRecords(await readTitoJsonl(join(dir, 'per-rollout', `r-${k}.jsonl`)))
      expect(own).toEqual(runs[k]!.recorder.history)
    }
  })

  it('closes a torn last line left by a killed writer before appending, so no line is lost', async () => {
    const path = join(dir, 'torn.jsonl')
    const before = [{ ...exactFields([1], [2]) }]
    const earlier = toTitoJsonl([exactCall(0, [1], [2], { rolloutId: 'r-old', timing: before[0]!.tito.timing })])
    await writeFile(path, `${earlier}${earlier.slice(0, 40)}`)
    const recorder = new VLLMTokenRecorder({ rolloutId: 'r-new', sink: path })
    await agentWith(recorder, [{ text: 'a', fields: exactFields([7], [8]) }]).invoke('x')
    // The torn line stays a broken line of its own (the reader names it); the lines around it are whole.
    const lines = readFileSync(path, 'utf8').split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[1]).toBe(earlier.slice(0, 40))
    expect(() => parseTitoJsonl(readFileSync(path, 'utf8'))).toThrow(/line 2: not valid JSON/)
    const [old] = parseTitoJsonl(lines[0]!)
    const [fresh] = parseTitoJsonl(lines[2]!)
    expect([old!.rollout_id, fresh!.rollout_id]).toEqual(['r-old', 'r-new'])
  })

  it('a line() preview and the appended line are the same bytes', () => {
    const sink = new TitoJsonlSink({ path: join(dir, 'x.jsonl') })
    const call = exactCall(0, [1], [2])
    expect(sink.line(call)).toBe(toTitoJsonl([call]))
  })
})

describe('a rollout worker killed mid-rollout (issue 16)', () => {
  let mock: MockVLLM | undefined
  let child: ChildProcess | undefined
  afterEach(async () => {
    child?.kill('SIGKILL')
    await mock?.close()
  })

  it('loses at most the call in flight: every finished call reads back byte-equal to what the worker reported', async () => {
    // Slow chunks keep a call in flight when the kill comes.
    mock = await startMockVLLM({
      policy: defaultPolicy({ think: false }),
      seed: 5,
      faults: { type: 'slow', delayMs: 15 },
    })
    const path = join(dir, 'rollout.jsonl')
    const reported: TitoCallRecord[] = []
    const childPath = fileURLToPath(new URL('./testing/sink-rollout-child.ts', import.meta.url))
    child = fork(childPath, [], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, MOCK_BASE_URL: mock.baseUrl, SINK_PATH: path },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr?.on('data', (d) => {
      stderr += String(d)
    })
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      child!.on('exit', (_code, signal) => resolve(signal))
    )
    const server = mock
    child.on('message', (m: { record: TitoCallRecord }) => {
      reported.push(m.record)
      if (reported.length !== 3) return
      // Mid-rollout: once the fourth call is on the wire (its chunks come slowly), kill the worker.
      const poll = setInterval(() => {
        if (server.requests.length < 4) return
        clearInterval(poll)
        child!.kill('SIGKILL')
      }, 2)
    })
    const signal = await Promise.race([killed, new Promise((r) => setTimeout(() => r('timeout'), 60_000))])
    expect(signal, stderr).toBe('SIGKILL')
    expect(reported.length).toBeGreaterThanOrEqual(3)

    const text = await readFile(path, 'utf8')
    const warnings: TitoJsonlWarning[] = []
    const back = fromTitoRecords(parseTitoJsonl(text, { onWarning: (w) => warnings.push(w) }))
    // At most the call in flight is missing; a call written but not yet reported is allowed.
    expect(back.length - reported.length).toBeGreaterThanOrEqual(0)
    expect(back.length - reported.length).toBeLessThanOrEqual(1)
    expect(warnings.length).toBeLessThanOrEqual(1)
    // Byte-equal: the file's lines are exactly the lines the reported records produce, in order.
    const lines = text.split('\n').filter((l, i, all) => l !== '' && (i < all.length - 1 || text.endsWith('\n')))
    const again = new TitoJsonlSink({ path })
    for (const [i, record] of reported.entries()) expect(lines[i]).toBe(again.line(record).trimEnd())
    expect(back.slice(0, reported.length)).toEqual(reported)
    // The call in flight was cut off: the server saw one request more than the file holds.
    expect(server.requests.length).toBeGreaterThan(back.length)
    expect(reported.every((r) => r.status === 'exact')).toBe(true)
  }, 90_000)
})
