import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'AGL_AGENT_NAME',
  'AGL_ANNOTATION_SPAN',
  'AGL_ATTEMPT_ID',
  'AGL_DEFAULT_MODEL_ID',
  'AGL_ENV_VARIABLES',
  'AGL_EXIT_CODES',
  'AGL_REWARD_PREFIX',
  'AGL_ROLLOUT_ID',
  'AgentLightningError',
  'AglAuthError',
  'AglCancelledError',
  'AglConfigError',
  'AglEnvError',
  'AglExportError',
  'AglNotFoundError',
  'AglRolloutSpanProcessor',
  'AglServerClient',
  'AglServerError',
  'ROLLOUT_ERROR_EVENT',
  'SIGNAL_EXIT_CODES',
  'TITO_CALLS_EVENT',
  'aglExitCode',
  'aglModelConfig',
  'createAglModel',
  'currentAglRollout',
  'describeAglFailure',
  'emitAglReward',
  'hasAglEnv',
  'readAglEnv',
  'runAglRollout',
  'withAglRollout',
]

describe('@strands-vllm/agent-lightning', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
