/**
 * The parts of vLLM's OpenAI-compatible wire format this package reads or writes,
 * including the vLLM-only fields (`prompt_token_ids`, `token_ids`, `reasoning`,
 * `reasoning_content`, `stop_reason`) that the `openai` types do not declare.
 */

export type WireContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { file_data: string; filename: string } }

export interface WireToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export type WireMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | WireContentPart[] }
  | { role: 'assistant'; content: string; tool_calls?: WireToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string }

export interface WireTool {
  type: 'function'
  function: { name: string; description: string; parameters?: unknown }
}

export type WireToolChoice = 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } }

export interface WireToolCallDelta {
  index?: number
  id?: string | null
  type?: string | null
  function?: { name?: string | null; arguments?: string | null } | null
}

export interface WireDelta {
  role?: string | null
  content?: string | null
  reasoning?: string | null
  reasoning_content?: string | null
  tool_calls?: WireToolCallDelta[] | null
}

export interface WireTopLogprob {
  token: string
  logprob: number
}

export interface WireLogprobEntry {
  token?: string
  logprob: unknown
  top_logprobs?: WireTopLogprob[] | null
}

export interface WireChoice {
  index?: number
  delta?: WireDelta | null
  finish_reason?: string | null
  stop_reason?: number | string | null
  token_ids?: unknown
  logprobs?: { content?: WireLogprobEntry[] | null } | null
}

export interface WireUsage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number | null } | null
}

/** A streamed chat chunk. */
export interface WireChunk {
  id?: string
  model?: string
  choices?: WireChoice[]
  usage?: WireUsage | null
  prompt_token_ids?: unknown
  error?: unknown
}

/** A non-streaming chat choice: `message` instead of `delta`, the same `token_ids` / `logprobs`. */
export interface WireChatJsonChoice extends Omit<WireChoice, 'delta'> {
  message?: (Omit<WireDelta, 'tool_calls'> & { tool_calls?: WireToolCallDelta[] | null }) | null
}

/** A non-streaming chat response (`prompt_token_ids` at the top level, once). */
export interface WireChatJson {
  id?: string
  model?: string
  choices?: WireChatJsonChoice[]
  usage?: WireUsage | null
  prompt_token_ids?: unknown
  error?: unknown
}

/** The completions logprobs shape: parallel arrays, `top_logprobs` as `{token: logprob}` maps. */
export interface WireCompletionLogprobs {
  tokens?: unknown
  token_logprobs?: unknown
  top_logprobs?: unknown
  text_offset?: unknown
}

/** A `/v1/completions` choice, streamed or not: both id fields sit on the choice. */
export interface WireCompletionChoice {
  index?: number
  text?: string | null
  finish_reason?: string | null
  stop_reason?: number | string | null
  prompt_token_ids?: unknown
  token_ids?: unknown
  logprobs?: WireCompletionLogprobs | null
}

/** A `/v1/completions` chunk or whole response. */
export interface WireCompletion {
  id?: string
  model?: string
  choices?: WireCompletionChoice[]
  usage?: WireUsage | null
  error?: unknown
}
