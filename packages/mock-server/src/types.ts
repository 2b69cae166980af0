import type { HfChatTokenizer } from '@strands-vllm/tokenizer'

/** Options for {@link startMockVLLM}. Every field is optional: the defaults behave like `vllm serve Qwen/Qwen3-8B`. */
export interface MockVLLMOptions {
  /** Port to listen on. Default 0 (ephemeral, read the chosen one from `url`). */
  port?: number
  /** Host to bind. Default `127.0.0.1`. */
  host?: string
  /** Served model name. Default `Qwen/Qwen3-8B`; other names get vLLM's 404. */
  modelId?: string
  /** Context window. Default 32768; drives the context-length 400s. */
  maxModelLen?: number
  /** What the "model" answers. Default {@link defaultPolicy}. */
  policy?: Policy
  /** Server-wide faults. Per request, also the `x-mock-fault` header (`name` or `name:arg`, comma-separated). */
  faults?: Fault | Fault[]
  /** Generated ids per streamed chunk (vLLM's `--stream-interval`). Default 1. */
  streamInterval?: number
  /**
   * Tool-call parser (vLLM's `--tool-call-parser`). Default `hermes`; `qwen3_coder` parses the XML
   * `<function=…><parameter=…>` format; `null` makes `tools` + `tool_choice: "auto"` a 400, as in vLLM.
   */
  toolParser?: ToolParserName | null
  /**
   * How the "model" writes tool calls when a policy does not say (`PolicyOutput.toolFormat`).
   * Default: `qwen3_coder` when `toolParser` is `qwen3_coder`, else `hermes`.
   */
  toolFormat?: ToolCallFormat
  /** Reasoning parser. Default `qwen3`; `null` leaves `<think>` in the content. */
  reasoningParser?: 'qwen3' | null
  /** Response field for parsed reasoning. Default `reasoning` (vLLM ≥ Nov 2025). */
  reasoningField?: 'reasoning' | 'reasoning_content'
  /** Seed for the policies' rng and the synthetic logprobs. Default 0. */
  seed?: number
  /** Reported by `GET /version`. Default `0.11.0`. */
  vllmVersion?: string
  /** Largest `top_logprobs` / `logprobs` / `prompt_logprobs` accepted (vLLM's `--max-logprobs`; -1: no limit). Default 20. */
  maxLogprobs?: number
}

/** A running mock server. */
export interface MockVLLM {
  /** `http://127.0.0.1:<port>/v1`: what you give the openai client or VLLMModel. */
  baseUrl: string
  /** `http://127.0.0.1:<port>`: for `/tokenize`, `/health`, `/version`. */
  url: string
  /** Every request received, in arrival order, with what was sent back. */
  requests: RecordedRequest[]
  /** The tokenizer the server renders and tokenizes with. */
  tokenizer: HfChatTokenizer
  /** Close the server and destroy open sockets. */
  close(): Promise<void>
}

/** What one generated choice sent (for `n > 1`; the top-level fields of {@link RecordedRequest} mirror choice 0). */
export interface RecordedChoice {
  index: number
  /** Every generated id sent to the client, in order. */
  tokenIds: number[]
  /** Every id generated (differs from `tokenIds` only under drop-ids faults or cuts). */
  generatedTokenIds: number[]
  logprobs: number[]
  finishReason: string | null
}

/** One request as the server saw it, and what it sent back, so tests can assert "recorded == sent". */
export interface RecordedRequest {
  id: string
  method: string
  path: string
  headers: Record<string, string>
  body: unknown
  /** HTTP status sent. */
  status: number
  /** The prompt ids computed (whether or not they were sent). */
  promptTokenIds?: number[]
  /** Every generated id sent to the client, in order (what a correct client must record). */
  tokenIds?: number[]
  /** Every id generated (differs from `tokenIds` only under drop-ids faults or cuts). */
  generatedTokenIds?: number[]
  logprobs?: number[]
  finishReason?: string | null
  /** Per choice, when the endpoint generates. */
  choices?: RecordedChoice[]
  /** The JSON response body (non-streaming), or each SSE `data:` payload as sent (streaming). */
  response?: unknown
  chunks?: string[]
  /** Faults applied to this request. */
  faults: Fault[]
  /** Client disconnected before the end. */
  aborted: boolean
  /** Resolves when the response has finished or the client disconnected. */
  done: Promise<void>
}

/** vLLM's tool parsers the mock emulates. */
export type ToolParserName = 'hermes' | 'qwen3_coder'

/** How tool calls are written in the generated text: hermes JSON or Qwen3-Coder XML. */
export type ToolCallFormat = 'hermes' | 'qwen3_coder'

/** A failure to inject, server-wide or per request. */
export type Fault =
  /** End the HTTP body cleanly (no `[DONE]`) after k data chunks. */
  | { type: 'cut-stream'; afterChunks: number }
  /** Destroy the socket mid-body after k data chunks. */
  | { type: 'close-mid-body'; afterChunks: number }
  /** Send one `data: {not json` line after k data chunks. */
  | { type: 'malformed-chunk'; afterChunks: number }
  /** `data: {"error": {...}}` then `data: [DONE]` after k data chunks. */
  | { type: 'mid-stream-error'; afterChunks: number; message?: string }
  /** Answer with this status and a vLLM-shaped error body. */
  | { type: 'status'; status: 429 | 503 | 500; message?: string }
  /** Delay between chunks. */
  | { type: 'slow'; delayMs: number }
  /** Old vLLM bug #27482: chunks the tool/reasoning parser buffered are not sent; usage still counts them. */
  | { type: 'drop-parser-ids' }
  /** Leave `prompt_token_ids` out. */
  | { type: 'missing-prompt-ids' }
  /** The old flat `{"object": "error", "message", …}` error shape. */
  | { type: 'flat-error-shape' }
  /** `reasoning_content` instead of `reasoning`. */
  | { type: 'legacy-reasoning-field' }
  /**
   * Force a context-length 400 with message variant n: 1–4 the older texts (vllm-protocol.md §11), 5 tokens,
   * 6 characters, 7 decoder prompt, 8 input length (the current texts of §0).
   */
  | { type: 'context-variant'; variant: ContextVariant }
  /** The last chunk (or the JSON choice) finishes with this reason: `abort` cuts after half the ids, `repetition` drops the EOS. */
  | { type: 'finish'; reason: 'abort' | 'repetition' }
  /** One chunk carries one logprob entry too few, the next one too many (totals equal); JSON: entries shifted by one. */
  | { type: 'logprobs-misaligned' }
  /** Chunks of a second choice (index 1) interleaved with index 0 although `n` is 1; JSON: two choices. */
  | { type: 'choice-index' }
  /** SSE lines end with a bare `\r` (valid SSE). */
  | { type: 'bare-cr' }
  /**
   * Agent Lightning's pause: 429 with `Retry-After: seconds`, `X-Agl-Paused: true` and
   * `{"error": "gateway paused", "reason": "weight sync"}` for the first `times` requests (per fault spec + path).
   */
  | { type: 'pause'; seconds: number; times: number }
  /** A plain 429 without `Retry-After`. */
  | { type: 'throttle' }

export type FaultType = Fault['type']

/** The context-length message variants `context-variant:n` can force. */
export type ContextVariant = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8

/** An OpenAI-style tool definition as sent in `tools`. */
export interface ToolDefinition {
  type: 'function'
  function: { name: string; description?: string; parameters?: Record<string, unknown> }
}

/** A chat message as received (OpenAI wire shape, plus vLLM's `reasoning` / `reasoning_content`). */
export interface ChatMessage {
  role: string
  content?: string | null | Array<{ type: string; text?: string; [key: string]: unknown }>
  name?: string
  tool_call_id?: string
  tool_calls?: Array<{
    id?: string
    type?: string
    function: { name: string; arguments: string | Record<string, unknown> }
  }>
  reasoning?: string | null
  reasoning_content?: string | null
  [key: string]: unknown
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } }

/** The fields of a chat-completions request the server reads. Unknown fields are accepted and ignored. */
export interface ChatCompletionRequest {
  model?: string
  messages: ChatMessage[]
  tools?: ToolDefinition[]
  tool_choice?: ToolChoice
  stream?: boolean
  stream_options?: { include_usage?: boolean | null; continuous_usage_stats?: boolean | null } | null
  n?: number
  max_tokens?: number | null
  max_completion_tokens?: number | null
  logprobs?: boolean
  top_logprobs?: number | null
  return_token_ids?: boolean | null
  add_generation_prompt?: boolean
  continue_final_message?: boolean
  chat_template_kwargs?: Record<string, unknown> | null
  skip_special_tokens?: boolean
  include_reasoning?: boolean
  prompt_logprobs?: number | null
  parallel_tool_calls?: boolean
  reasoning_effort?: string | null
  stream_interval?: number
  seed?: number
  request_id?: string
  [key: string]: unknown
}

/** A tool call a policy wants the model to emit. */
export interface PolicyToolCall {
  name: string
  /** An object is rendered like Qwen3 (`json.dumps` style); a string is emitted verbatim (compact or invalid JSON). */
  arguments: Record<string, unknown> | string
}

/** What the "model" generates, as text segments; the server tokenizes them into the generated ids. */
export interface PolicyOutput {
  /** Becomes `<think>\n…\n</think>\n\n` (when the request allows thinking). */
  reasoning?: string
  content?: string
  toolCalls?: PolicyToolCall[]
  /**
   * Word → vocabulary pieces to emit instead of the canonical tokenization, e.g. `{ HAVING: ['H', 'AVING'] }`
   * or `{ ' HAVING': ['ĠH', 'AVING'] }` (byte-level pieces), so retokenization drift is observable.
   */
  nonCanonical?: Record<string, string[]>
  /** How the tool calls are written. Default: the server's `toolFormat`. */
  toolFormat?: ToolCallFormat
}

/** What a policy sees of the request. */
export interface PolicyContext {
  body: ChatCompletionRequest
  messages: ChatMessage[]
  tools: ToolDefinition[]
  toolChoice: ToolChoice | undefined
  /** Number of assistant messages already in the conversation (read back from the prompt in completions). */
  turn: number
  /** Text of the last user message. */
  lastUserText: string | undefined
  /** Text of the last tool message, when the conversation ends with tool results. */
  lastToolResult: string | undefined
  /**
   * Thinking on: chat `chat_template_kwargs.enable_thinking !== false` (or `reasoning_effort` other than `none`);
   * completions: the generation prompt does not hold an empty `<think></think>`.
   */
  thinking: boolean
  /** Which of the `n` choices is being generated. */
  choiceIndex: number
  /** Seeded, deterministic per request content (and seed, choice index). */
  rng: () => number
}

/** Decides what gets generated for a request. */
export type Policy = (ctx: PolicyContext) => PolicyOutput | Promise<PolicyOutput>
