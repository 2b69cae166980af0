import { VLLMTokenInError } from '@strands-vllm/model'
import { type DriftRollout, runDriftRollout } from './rollout.js'

/** The token-in run of step 4, or the one line that says why it could not run on this server. */
export type TokenInSide = { rollout: DriftRollout; skipped?: undefined } | { rollout?: undefined; skipped: string }

/**
 * Run the demo's episode in token-in mode. A server token-in cannot use (no `/tokenize` at its root, as behind a
 * gateway that forwards only completions, or a template the bridge check refuses) skips the step with one line
 * instead of failing the demo; anything else is a real failure and is thrown.
 */
export async function runTokenInSide(env: Record<string, string | undefined>): Promise<TokenInSide> {
  try {
    return { rollout: await runDriftRollout({ env, mode: 'token-in' }) }
  } catch (error) {
    if (!VLLMTokenInError.isInstance(error)) throw error
    return { skipped: skipReason(error, env) }
  }
}

function skipReason(error: VLLMTokenInError, env: Record<string, string | undefined>): string {
  if (error.code === 'render_failed' && (error.status === 404 || error.status === 405)) {
    const root = (env.VLLM_BASE_URL ?? '').trim().replace(/\/+$/, '').replace(/\/v1$/, '')
    return (
      `skipped: token-in renders its prompts with POST ${root}/tokenize, which answered ${error.status} ` +
      '(a gateway in front of vLLM?); point VLLM_BASE_URL at vLLM itself to compare the modes'
    )
  }
  return `skipped: ${error.message.replace(/\s*\n\s*/g, ' ')}`
}
