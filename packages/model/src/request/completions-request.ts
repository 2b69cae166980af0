import { MANAGED_PARAM_KEYS, type VLLMModelConfig } from '../config.js'
import { VLLMTokenInError } from '../errors.js'
import { SAMPLING_KEYS } from './sampling-keys.js'

/**
 * Chat-only body keys: not sent to `/v1/completions`. `chat_template_kwargs` shaped the prompt (it went to the
 * renderer) and is recorded; `max_completion_tokens` becomes `max_tokens`; the others have no meaning without
 * messages or server-side parsing (one warning each).
 */
const CHAT_ONLY_KEYS: ReadonlySet<string> = new Set([
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'chat_template',
  'chat_template_kwargs',
  'add_generation_prompt',
  'continue_final_message',
  'documents',
  'mm_processor_kwargs',
  'reasoning_effort',
  'include_reasoning',
  'top_logprobs',
  'max_completion_tokens',
])
const SILENT_KEYS: ReadonlySet<string> = new Set(['chat_template_kwargs', 'max_completion_tokens'])

export interface BuiltCompletionsRequest {
  body: Record<string, unknown> & { prompt: number[] }
  /** Every sampling-related key sent, plus the `chat_template_kwargs` the prompt was rendered with. */
  sampling: Record<string, unknown>
  logprobs: boolean
  topLogprobs: boolean
}

/**
 * The token-in request: `{ ...params, model, prompt: ids, stream, stream_options?, max_tokens, temperature?,
 * top_p?, return_token_ids: true, logprobs?: n, skip_special_tokens }`. The same sampling as chat mode, in the
 * completions dialect: `logprobs` is the number of alternatives (0 with `logprobs: true`), and `max_tokens` is
 * always set, because `/v1/completions` defaults to 16 tokens where chat uses the rest of the context window
 * (`max_model_len - prompt length`, which is what it is set to when nothing else says).
 */
export function buildCompletionsRequest(
  config: VLLMModelConfig,
  prompt: number[],
  maxModelLen: number | undefined,
  warn: (key: string, message: string) => void
): BuiltCompletionsRequest {
  const params = config.params ?? {}
  const body: Record<string, unknown> = {}
  for (const key of Object.keys(params)) {
    if (MANAGED_PARAM_KEYS.has(key)) continue
    if (CHAT_ONLY_KEYS.has(key)) {
      if (!SILENT_KEYS.has(key)) {
        warn(`token-in-param:${key}`, `token-in: params.${key} has no meaning for /v1/completions and is not sent`)
      }
      continue
    }
    body[key] = params[key]
  }
  body.model = config.modelId
  body.prompt = prompt
  const stream = config.stream !== false
  body.stream = stream
  if (stream) body.stream_options = { include_usage: true }
  body.max_tokens = maxTokens(config, params, prompt.length, maxModelLen)
  if (config.temperature !== undefined) body.temperature = config.temperature
  if (config.topP !== undefined) body.top_p = config.topP
  body.return_token_ids = true
  const logprobs = config.logprobs
  if (logprobs) body.logprobs = typeof logprobs === 'object' ? logprobs.top : 0
  // vLLM's default too, sent so the record says how the text the parsers read was decoded.
  body.skip_special_tokens = params.skip_special_tokens ?? true
  const sampling: Record<string, unknown> = {}
  for (const key of Object.keys(body)) {
    if (SAMPLING_KEYS.has(key)) sampling[key] = structuredClone(body[key])
  }
  if (params.chat_template_kwargs !== undefined)
    sampling.chat_template_kwargs = structuredClone(params.chat_template_kwargs)
  return {
    body: body as BuiltCompletionsRequest['body'],
    sampling,
    logprobs: body.logprobs !== undefined,
    topLogprobs: typeof logprobs === 'object' && logprobs.top > 0,
  }
}

function maxTokens(
  config: VLLMModelConfig,
  params: Record<string, unknown>,
  promptLength: number,
  maxModelLen: number | undefined
): unknown {
  const given = config.maxTokens ?? params.max_tokens ?? params.max_completion_tokens
  if (given !== undefined && given !== null) return given
  // At least 1: a prompt that fills the window then gets vLLM's context-length error, not a validation error.
  if (maxModelLen !== undefined) return Math.max(1, maxModelLen - promptLength)
  throw new VLLMTokenInError(
    "token-in: set maxTokens. /v1/completions defaults max_tokens to 16, and the server's max_model_len (which " +
      'chat mode fills up to) is unknown here (no /tokenize answer, no GET /v1/models, no contextWindowLimit)',
    { code: 'max_tokens_unknown' }
  )
}
