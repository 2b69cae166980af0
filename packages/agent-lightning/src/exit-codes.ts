import { VLLMConfigError, VLLMError, VLLMPauseBudgetExceededError } from '@strands-vllm/model'
import { AglAuthError, AglConfigError, AglEnvError, AglNotFoundError } from './errors.js'

/**
 * What a rollout process exits with. Agent Lightning's controllers read only zero (the rollout `succeeded`) or
 * not (`failed`, with `subprocess exited with code N`); the distinct non-zero codes tell an operator why.
 */
export const AGL_EXIT_CODES = {
  succeeded: 0,
  /** The rollout itself failed (the agent threw, the model failed, a reward could not be posted). */
  failed: 1,
  /** Nothing a retry fixes: `AGL_*` missing or malformed, the key refused (401), the rollout unknown (404). */
  misconfigured: 2,
  /** The gateway stayed paused (weight sync) longer than the pause budget. */
  pausedTooLong: 3,
} as const

/** 128 + signal number, as a shell reports a process ended by that signal. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

/** The exit code for a rollout that failed with `error`. */
export function aglExitCode(error: unknown): number {
  if (findError(error, (e) => VLLMPauseBudgetExceededError.isInstance(e))) return AGL_EXIT_CODES.pausedTooLong
  if (
    findError(
      error,
      (e) =>
        AglEnvError.isInstance(e) ||
        AglConfigError.isInstance(e) ||
        AglAuthError.isInstance(e) ||
        AglNotFoundError.isInstance(e) ||
        VLLMConfigError.isInstance(e)
    )
  ) {
    return AGL_EXIT_CODES.misconfigured
  }
  const model = findError(error, (e) => VLLMError.isInstance(e)) as VLLMError | undefined
  if (model && (model.status === 401 || model.status === 404)) return AGL_EXIT_CODES.misconfigured
  return AGL_EXIT_CODES.failed
}

/** The first error in the `cause` chain that matches. */
export function findError(error: unknown, test: (e: unknown) => boolean): unknown {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (test(e)) return e
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}
