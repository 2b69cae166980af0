import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/**
 * Every example runs exactly as a user runs it (`tsx src/main.ts` in its folder, no arguments,
 * no VLLM_BASE_URL so the mock server starts in-process) and must exit 0 printing its key lines.
 */
const run = promisify(execFile)
const examplesDir = join(import.meta.dirname, '..', '..', '..', 'examples')

const expectations: Record<string, RegExp[]> = {
  'basic-agent': [
    /server: in-process mock vLLM/,
    /answer: The capital of France is Paris\./,
    /prompt tokens: \d+ \(len=\d+ head=\[151644/,
    /response tokens: \d+ .*151645\]\)/,
    /tito status: exact \| finish_reason: stop/,
  ],
  'tool-validation': [
    /\[error\] Error: unknown tool: print \| allowed_tools=\[calculator\]/,
    /\[success\] 391/,
    /answer: 17 \* 23 = 391\./,
  ],
  'agent-lightning-spans': [
    /exported 2 per-call span\(s\) named openai\.chat\.completion/,
    /span 0 \(parent: execute_agent_loop_cycle\)/,
    /exported \d+ span\(s\), all stamped: yes/,
    /store: \d+ span\(s\) stored for the rollout, 0 dropped/,
    /adapter: 2 triplet\(s\), rewards \[null, 1\] \(the reward is on the last call\)/,
    /span path triplets equal toAgentLightningTriplets: yes/,
    /prompt_token_ids\s+\[151644/,
    /response_token_ids\s+\[\d+/,
    /gen_ai\.response\.id\s+chatcmpl-/,
    /logprobs\.content\s+\[\{"token"/,
    /tito\.status\s+exact/,
  ],
  'agent-lightning-v1': [
    /demo: no AGL_\* variables/,
    /rollout \S+: succeeded \(exit 0\)/,
    /model calls captured by the gateway: 2 \(ids equal the rollout's own records: yes\)/,
    /reward event: 1 \(exact-match: 408 is the expected answer\)/,
    /triplet 1: prompt \d+ ids, response \d+ ids, logprobs \d+/,
  ],
  'rl-token-manager': [
    /call 0 \(invocation 0\): .*exact, finish_reason=tool_calls, tools: calculator/,
    /--- RL Trajectory 0 \(from vLLM token IDs; calls 0, 1\) ---/,
    /Loss mask: +\d+ trainable \(1\), \d+ context \(0\)/,
    /split before call 2: .*cause reasoning_stripped/,
    /wrote 3 calls to .*calls\.jsonl/,
    /wrote 2 verl rows to .*verl-rows\.json/,
  ],
  'drift-demo': [
    /call 0 +tool_calls +prompt +\d+ tokens +sampled +\d+ tokens +exact → calc/,
    /\[error\] Error: unknown tool: calc \| allowed_tools=\[calculator\]/,
    /Trajectories · 3 \(2 splits/,
    /mask: \d+ sampled \(1\), \d+ context \(0\)/,
    /39 H │ 83722 AVING/,
    /72239 HAV │ 1718 ING/,
    /tool_call_reserialized/,
    /reasoning_stripped/,
    /Verdict/,
    /\[4\/4\] Chat mode vs token-in ·/,
    /call 1 +39 tokens +240 tokens, extends call 0 +240 tokens = 176 \+ 40 sampled \+ 24 bridge/,
    /sampled ids identical in both modes: yes \(4 calls, 132 tokens/,
    /trajectories +3 \(2 splits\) +1 \(no split\)/,
    /divergences +call 2 tool_call_reserialized, call 3 reasoning_stripped +none/,
    /sampled tokens lost +45 of 132 \(call 1: 10, call 2: 35\) +0 of 132/,
    /canonical JSONL \(one line per model call\): .*calls\.jsonl/,
    /the same episode in token-in mode: +.*calls-token-in\.jsonl/,
    /HTML report \(open it in a browser\): +.*drift-report\.html/,
  ],
}

/** As a user runs them: no server configured (the mock starts in-process), no Agent Lightning controller env. */
const env: NodeJS.ProcessEnv = { ...process.env, VLLM_BASE_URL: '', NO_COLOR: '1', FORCE_COLOR: '0' }
for (const key of Object.keys(env)) if (key.startsWith('AGL_')) delete env[key]

describe.each(Object.entries(expectations))('example %s', (name, patterns) => {
  it('runs with no arguments against the mock server and prints its key lines', async () => {
    const cwd = join(examplesDir, name)
    expect(existsSync(join(cwd, 'src', 'main.ts'))).toBe(true)
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd, env })
    for (const pattern of patterns) expect(stdout).toMatch(pattern)
  })
})
