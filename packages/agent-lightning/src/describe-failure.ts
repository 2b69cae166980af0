import { VLLMError, VLLMPauseBudgetExceededError } from '@strands-vllm/model'
import { redact } from '@strands-vllm/model/internal'
import type { AglRolloutEnv } from './agl-env.js'
import { AgentLightningError } from './errors.js'
import { findError } from './exit-codes.js'

/**
 * One line saying why a rollout failed and what to check. Model errors from the gateway get the gateway's
 * meaning (401: `AGL_KEY`; 404: the rollout URL; 503: no upstream registered); the key is redacted.
 */
export function describeAglFailure(error: unknown, env?: Pick<AglRolloutEnv, 'key' | 'keySet'>): string {
  const key = env?.key
  const text = (message: string): string => redact(message.replace(/\s*\n\s*/g, ' '), key)
  const own = findError(error, (e) => AgentLightningError.isInstance(e)) as AgentLightningError | undefined
  if (own) return text(`${own.name}: ${own.message}`)
  const paused = findError(error, (e) => VLLMPauseBudgetExceededError.isInstance(e)) as
    | VLLMPauseBudgetExceededError
    | undefined
  if (paused) {
    return text(
      `${paused.name}: ${paused.message}. The rollout fails so the trainer can requeue it; a longer weight sync ` +
        'needs a larger pauseRetry.budgetMs'
    )
  }
  const model = findError(error, (e) => VLLMError.isInstance(e)) as VLLMError | undefined
  if (model) return text(`${model.name}: ${model.message}${gatewayHint(model, env)}`)
  if (error instanceof Error) return text(`${error.name}: ${error.message}`)
  return text(`rollout failed: ${String(error)}`)
}

function gatewayHint(error: VLLMError, env: Pick<AglRolloutEnv, 'key' | 'keySet'> | undefined): string {
  switch (error.status) {
    case 401: {
      const state = env && !env.keySet ? 'AGL_KEY is not set' : env && !env.key ? 'AGL_KEY is empty' : 'AGL_KEY is set'
      return ` (the gateway refused the key: ${state}; it must equal the server's agl_server.key)`
    }
    case 404:
      return (
        ' (the gateway does not know this rollout or path: check AGL_OPENAI_BASE_URL — rollout id, attempt, ' +
        'mode train|val — and that the server was not restarted since the rollout was queued)'
      )
    case 503:
      return ' (no vLLM server is registered with the gateway for its model: POST /api/models on the server)'
    case 502:
    case 504:
      return ' (the gateway could not get an answer from its vLLM upstream after its own retries)'
    default:
      return ''
  }
}
