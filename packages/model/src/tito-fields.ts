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
}

export interface VLLMResponseFields {
  /** The full templated prompt vLLM computed (first chunk's top-level `prompt_token_ids`). */
  promptTokenIds?: number[]
  /** Every sampled id (all chunks' `choices[0].token_ids`, the finish chunk and any after it included). */
  tokenIds?: number[]
  /** Per sampled id, when logprobs were requested; aligned 1:1 with `tokenIds`. */
  logprobs?: number[]
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
