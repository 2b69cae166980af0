/**
 * An Agent Lightning v1 rollout process: Agent Lightning's controller starts it with AGL_OPENAI_BASE_URL,
 * AGL_EVENT_URL and AGL_KEY; it answers the rollout's math task with a Strands agent and the calculator tool,
 * posts reward 1 or 0, and exits 0 (rollout succeeded) or non-zero (failed).
 *
 * Without AGL_* variables it runs a demo: the gateway stand-in and a mock vLLM in this process, and this file
 * spawned as the rollout process, the way the controller does it.
 */
import { hasAglEnv, runAglRollout } from '@strands-vllm/agent-lightning'
import { runDemo } from './demo.js'
import { parseMathTask, solveMathTask } from './math-task.js'

const USAGE =
  'usage: tsx src/main.ts [--demo] — a rollout process for Agent Lightning v1: run it under the controller ' +
  '(it sets AGL_OPENAI_BASE_URL, AGL_EVENT_URL, AGL_KEY), or with no AGL_* variables / --demo for a local demo'

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
} else if (args.some((a) => a !== '--demo')) {
  console.error(`unknown argument ${args.find((a) => a !== '--demo')}; ${USAGE}`)
  process.exitCode = 2
} else if (hasAglEnv() && !args.includes('--demo')) {
  await runAglRollout(solveMathTask, { parseInput: parseMathTask })
} else {
  process.exitCode = await runDemo(import.meta.filename)
}
