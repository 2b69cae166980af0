import { VLLMModel, type VLLMModelConfig, type VLLMModelOptions } from '@strands-vllm/model'
import type { AglRolloutEnv } from './agl-env.js'
import { AglConfigError } from './errors.js'

/**
 * `VLLMModel` options for a rollout behind the gateway. `baseUrl`, `apiKey` and `client` come from the rollout
 * (`AGL_OPENAI_BASE_URL`, `AGL_KEY`); everything else may be overridden (`maxTokens`, `params`, `tokenIn`, …).
 */
export type AglModelOptions = Omit<VLLMModelConfig, 'baseUrl' | 'apiKey' | 'client'>

/**
 * The name sent as `model` when none is given. The gateway rewrites `model` to the one it serves
 * (`default_proxy.model_name`), so any name works; the records keep the served name from the response.
 */
export const AGL_DEFAULT_MODEL_ID = 'agentlightning'

/**
 * `VLLMModel` options for this rollout's gateway: non-streaming (the gateway answers `stream: true` with 400),
 * bearer `AGL_KEY`, token ids on, logprobs in train mode, pauses (429 + `Retry-After` + `X-Agl-Paused` during
 * weight syncs) ridden out for up to 30 minutes, and the rollout id as the session key (body `session_id`: the
 * gateway drops client headers but passes body fields to vLLM). `options` override any of it.
 */
export function aglModelConfig(env: AglRolloutEnv, options: AglModelOptions = {}): VLLMModelOptions {
  checkOptions(options)
  return {
    returnTokenIds: true,
    logprobs: env.mode === 'train',
    pauseRetry: {},
    session: { id: env.rolloutId },
    ...options,
    modelId: options.modelId ?? AGL_DEFAULT_MODEL_ID,
    stream: false,
    baseUrl: env.openaiBaseUrl,
    apiKey: env.key || 'EMPTY',
  }
}

/** A `VLLMModel` for this rollout's gateway; see {@link aglModelConfig} for what is set and why. */
export function createAglModel(env: AglRolloutEnv, options: AglModelOptions = {}): VLLMModel {
  return new VLLMModel(aglModelConfig(env, options))
}

function checkOptions(options: AglModelOptions): void {
  const raw = options as Record<string, unknown>
  if ('client' in raw || 'baseUrl' in raw || 'apiKey' in raw) {
    throw new AglConfigError(
      'createAglModel: baseUrl, apiKey and client come from the rollout (AGL_OPENAI_BASE_URL, AGL_KEY); ' +
        'to call another server, build a VLLMModel yourself'
    )
  }
  if (options.stream === true) {
    throw new AglConfigError(
      'createAglModel: stream: true cannot work behind Agent Lightning: its gateway answers every streaming ' +
        'request with 400 "Streaming responses are not supported"; leave stream unset'
    )
  }
  if (options.countTokens === 'server') {
    throw new AglConfigError(
      "createAglModel: countTokens: 'server' needs vLLM's /tokenize, which the gateway does not expose (it " +
        "forwards only /chat/completions and /completions); keep the default 'estimate'"
    )
  }
  const tokenIn = raw.tokenIn
  if (tokenIn !== undefined && tokenIn !== false) {
    const local = typeof tokenIn === 'object' && tokenIn !== null ? (tokenIn as Record<string, unknown>) : {}
    if (local.tokenizer === undefined && local.tokenizeUrl === undefined) {
      throw new AglConfigError(
        'createAglModel: token-in behind the gateway needs a local tokenizer: /tokenize is not reachable ' +
          'through the proxy (it forwards only /chat/completions and /completions). Pass ' +
          "tokenIn: { tokenizer } with the served model's tokenizer (loadQwen3Tokenizer() from " +
          '@strands-vllm/tokenizer for Qwen3), or tokenizeUrl of a server that renders the same model'
      )
    }
  }
}
