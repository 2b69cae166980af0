import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type AglStore, startAglStore } from '@strands-vllm/agl-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The example as a user runs it (a process; workspace packages from source through tsconfig paths), against the
 * v0.x store stand-in: in-process by default, or one this test starts and passes as AGL_STORE_URL.
 */
const root = join(import.meta.dirname, '..')
const run = (env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      VLLM_BASE_URL: '',
      NO_COLOR: '1',
      TSX_TSCONFIG_PATH: join(root, 'tsconfig.source.json'),
      ...env,
    },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr })
  )

let store: AglStore
beforeAll(async () => {
  store = await startAglStore()
})
afterAll(async () => {
  await store?.close()
})

describe('the agent-lightning-spans example', () => {
  it('with its own stand-in: every span stamped and stored, two triplets equal to the recorder’s, reward on the last', async () => {
    const { code, stdout, stderr } = await run()
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/exported \d+ span\(s\), all stamped: yes/)
    expect(stdout).toMatch(/exported 2 per-call span\(s\) named openai\.chat\.completion/)
    expect(stdout).toMatch(/span 0 \(parent: execute_agent_loop_cycle\)/)
    expect(stdout).toMatch(/reward span: agentlightning\.annotation primary=1/)
    expect(stdout).toMatch(/store: \d+ span\(s\) stored for the rollout, 0 dropped/)
    expect(stdout).toMatch(/adapter: 2 triplet\(s\), rewards \[null, 1\] \(the reward is on the last call\)/)
    expect(stdout).toMatch(/span path triplets equal toAgentLightningTriplets: yes/)
  })

  it('against a store given by AGL_STORE_URL: the calls arrive under the given ids and adapt into triplets', async () => {
    const { rolloutId, attemptId } = store.startRollout({ input: { question: 'What is 12 * 34?' } })
    const { code, stderr } = await run({
      AGL_STORE_URL: store.url,
      AGL_ROLLOUT_ID: rolloutId,
      AGL_ATTEMPT_ID: attemptId,
    })
    expect(code, stderr).toBe(0)
    expect(store.warnings).toEqual([])
    const spans = store.querySpans(rolloutId)
    expect(spans.filter((s) => s.name === 'openai.chat.completion')).toHaveLength(2)
    expect(spans.every((s) => s.attempt_id === attemptId)).toBe(true)
    const triplets = store.adapt(rolloutId, { agentMatch: '^calculator-agent$' })
    expect(triplets.map((t) => t.reward)).toEqual([null, 1])
    expect(triplets.every((t) => t.metadata.agent_name === 'calculator-agent')).toBe(true)
  })

  it('fails loudly when the store refuses the export: one clear line and exit 1, no crash', async () => {
    const { code, stdout, stderr } = await run({
      AGL_STORE_URL: store.url,
      AGL_ROLLOUT_ID: 'ro-never-started',
      AGL_ATTEMPT_ID: 'at-never-started',
    })
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^agent-lightning-spans: the store refused the spans: the Agent Lightning store at http:\/\/127\.0\.0\.1:\d+\/v1\/traces refused \d+ span\(s\) in \d+ export\(s\) \(HTTP 500.*does not know their rollout or attempt/
      ),
    ])
    expect(stdout).not.toMatch(/exported \d+ per-call/)
    expect(store.errors.at(-1)).toBe('Rollout ro-never-started not found')
  })

  it('AGL_STORE_URL without ids is a one-line usage error (exit 2)', async () => {
    const { code, stderr } = await run({ AGL_STORE_URL: store.url })
    expect(code).toBe(2)
    expect(stderr.trim()).toMatch(/^AGL_STORE_URL is set but AGL_ROLLOUT_ID \/ AGL_ATTEMPT_ID are not/)
  })
})
