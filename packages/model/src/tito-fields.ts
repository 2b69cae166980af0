/**
 * The shape `VLLMModel` puts on `modelMessageStopEvent.additionalModelResponseFields`
 * when `returnTokenIds` is on. The recorder and the trajectory builder read it; it is
 * plain JSON so it survives the SDK's event copying and any serialization.
 */

/** `exact`: every wire check passed. `incomplete`: ids came but a check failed. `missing`: no ids came. */
export type TitoStatus = 'exact' | 'incomplete' | 'missing'

/** Machine-readable reason codes for a non-exact call (each with a human message). */
export type TitoReasonCode =
  | 'prompt_ids_missing'
  | 'prompt_ids_repeated'
  | 'prompt_ids_invalid'
  | 'token_ids_missing'
  | 'token_ids_invalid'
  | 'completion_count_mismatch'
  | 'prompt_count_mismatch'
  | 'usage_missing'
  | 'logprobs_count_mismatch'
  | 'logprobs_invalid'
  | 'stream_incomplete'
  | 'stream_error'
  | 'eos_inconsistent'
  /** `finish_reason: 'abort'`: the server cut the sequence (e.g. a trainer pausing generation for a weight sync). */
  | 'finish_abort'
  /** A finish reason this package does not know; the end of the sequence cannot be vouched for. */
  | 'finish_unknown'
  /** Some chunk carried a different number of logprob entries than ids (even if the totals agree). */
  | 'logprobs_misaligned'
  /** A choice with an index other than 0 arrived (only one sequence is requested); it was not merged. */
  | 'choice_index_unexpected'

export interface TitoReason {
  code: TitoReasonCode
  message: string
}

export interface TitoUsage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

/** One alternative in a top-logprobs list. */
export interface TopLogprob {
  token: string
  logprob: number
}

/** One 429 pause ridden out before the call's response (an Agent Lightning weight sync, a router draining). */
export interface TitoPause {
  status: number
  /** What the server asked for (`Retry-After`). */
  retryAfterMs: number
  /** How long the model actually waited before retrying. */
  waitedMs: number
  /** The server's reason (`{"reason": …}` of the body), when it gave one. */
  reason: string | null
}

/** Why a token-in call's prompt was rendered afresh instead of extended (the table in the README). */
export type TokenInRenderReason =
  | 'first_call'
  | 'messages_reset'
  | 'history_changed'
  | 'tools_changed'
  | 'system_changed'
  | 'template_changed'
  | 'previous_not_extendable'

/** Where a token-in prompt came from (filled by token-in mode; absent in chat mode). */
export interface TitoTokenIn {
  /** Fresh rendering / previous prompt + sampled ids + bridge / the same prompt resent after a failure. */
  prompt: 'rendered' | 'extended' | 'retry'
  /**
   * Why a fresh rendering was needed (null when extended or retried): the instance's first call; a new episode (no
   * assistant turn in the messages); history that no longer repeats what was sent and sampled (trimmed, edited);
   * other tools; another system prompt; other `chat_template_kwargs`; or a previous call whose ids cannot be trusted
   * as a prefix (failed checks, a server that echoed another prompt).
   */
  renderReason: TokenInRenderReason | null
  renderer: 'server' | 'local'
  /** Ids appended between the previous call's sampled ids and this prompt's end (null unless extended). */
  bridgeLength: number | null
  /** The previous response did not end with the end-of-message id; the bridge starts with the template's close. */
  synthesizedClose: boolean
  /** Length of previous prompt + previous sampled ids (the prefix this prompt starts with; null unless extended). */
  previousLength: number | null
}

export interface TitoInfo {
  status: TitoStatus
  reasons: TitoReason[]
  /** vLLM's `finish_reason` (`stop`, `length`, `tool_calls`, …), null when the stream never finished. */
  finishReason: string | null
  /** vLLM's `stop_reason`: null for EOS, an int for a stop token id, a string for a stop string. */
  stopReason: number | string | null
  usage: TitoUsage | null
  responseId: string | null
  model: string | null
  /** Every sampling parameter actually sent (vLLM fills omitted ones from the model's generation config). */
  sampling: Record<string, unknown>
  /** Wall-clock timing in epoch milliseconds. */
  timing: { startMs: number; firstByteMs: number | null; endMs: number }
  /** Which request path produced the call. */
  mode: 'chat' | 'token-in'
  /** One SSE stream (`stream`) or one JSON body (`json`, `stream: false`). */
  transport: 'stream' | 'json'
  /** Session key sent (body `session_id` + header), when one was sent. */
  sessionId: string | null
  /** 429 pauses ridden out before this call's response. */
  pauses: TitoPause[]
  /** Token-in only: where the prompt came from. */
  tokenIn?: TitoTokenIn
}

export interface VLLMResponseFields {
  /** The full templated prompt vLLM computed (top-level `prompt_token_ids` for chat, per choice for completions). */
  promptTokenIds?: number[]
  /** Every sampled id of choice 0 (all chunks' `token_ids`, the finish chunk and any after it included). */
  tokenIds?: number[]
  /**
   * Per sampled id, when logprobs were requested; aligned 1:1 with `tokenIds`. Present only when every entry is a
   * finite number and every chunk had exactly one entry per id; otherwise omitted and the call says why.
   */
  logprobs?: number[]
  /** The token text of each logprob entry (chat `logprobs.content[].token`, completions `logprobs.tokens[]`). */
  logprobTokens?: string[]
  /** Per sampled id, the top alternatives, when `logprobs: { top: n }` was requested. */
  topLogprobs?: TopLogprob[][]
  tito: TitoInfo
}

/** Narrow an unknown `additionalModelResponseFields` to our shape. */
export function getVLLMResponseFields(fields: unknown): VLLMResponseFields | undefined {
  if (!fields || typeof fields !== 'object') return undefined
  const tito = (fields as { tito?: unknown }).tito
  if (!tito || typeof tito !== 'object' || typeof (tito as { status?: unknown }).status !== 'string') return undefined
  return fields as VLLMResponseFields
}
