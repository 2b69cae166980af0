import type { TitoReasonCode, TitoStatus } from '@strands-vllm/model'

/** `stream`: SSE (`stream: true`); `json`: one JSON body (`stream: false`). */
export type Transport = 'stream' | 'json'

export const TRANSPORTS: readonly Transport[] = ['stream', 'json']
export const STREAM_ONLY: readonly Transport[] = ['stream']

/** `chat`: `/v1/chat/completions`, the server renders; `token-in`: `/v1/completions` with the client's ids. */
export type Mode = 'chat' | 'token-in'

export const MODES: readonly Mode[] = ['chat', 'token-in']
/** Faults of the chat endpoint's server-side parsing, which token-in does not use. */
export const CHAT_ONLY: readonly Mode[] = ['chat']

/** What the agent's `invoke` does: reject with this error class, or resolve with this stop reason. */
export type AgentOutcome = { throws: string } | { stopReason: 'endTurn' | 'cancelled' }

/** What the recorder holds after the rollout: one status per model call, in call order. */
export interface RecorderExpectation {
  statuses: TitoStatus[]
  /** Reason codes the faulted call's record must carry (a subset check). */
  reasons?: TitoReasonCode[]
  /** The faulted call's record keeps the ids received before the failure (`promptTokenIds` and a partial `tokenIds`). */
  keepsPartialIds?: boolean
  /** The faulted call's record keeps the prompt ids (the stream failed before any sampled id arrived). */
  promptIdsOnly?: boolean
}

/**
 * One row of the fault matrix. The fault hits the rollout's first model call, first attempt only (a transient
 * fault, as in production), so the retry-on column shows whether the SDK's retry strategy recovers.
 */
export interface FaultCase {
  name: string
  /** How it is injected: the `x-mock-fault` header value, or one of the setups below. */
  fault?: string
  setup?:
    | 'unknown-model'
    | 'connection-refused'
    | 'no-tool-parser'
    | 'client-timeout'
    | 'cancel-mid-stream'
    | 'max-tokens'
    | 'pause-budget'
  /** The transports the row runs on. Default both; stream-only faults (cut SSE, chunk faults) say `['stream']`. */
  transports?: readonly Transport[]
  /**
   * The request paths the row runs on. Default both: chat mode and token-in (ids to `/v1/completions`, rendered
   * by the local tokenizer so the fault hits the generation request). Faults of the server's chat parsers say
   * `['chat']`.
   */
  modes?: readonly Mode[]
  /**
   * The mock counts `pause:` faults per header value, so each run of the row needs its own value: the test
   * appends a harmless per-run `slow:<n ms>` to the header.
   */
  perRunHeader?: boolean
  /** Human text for the README's "how injected" column. */
  injected: string
  /** The typed error the model throws (class name), or `null` when the call succeeds. */
  error: string | null
  /** The faulted call's `tito.status` as recorded. */
  status: TitoStatus
  /** Retry strategy off (`retryStrategy: null`). */
  retryOff: { outcome: AgentOutcome; recorder: RecorderExpectation }
  /** `DefaultModelRetryStrategy({ maxAttempts: 2 })`: the SDK retries only `ModelThrottledError`. */
  retryOn: { outcome: AgentOutcome; recorder: RecorderExpectation }
  /** What differs in token-in mode, when anything does (the completions wire has no role-only first chunk). */
  tokenInRecorder?: RecorderExpectation
}

const same = (outcome: AgentOutcome, recorder: RecorderExpectation): Pick<FaultCase, 'retryOff' | 'retryOn'> => ({
  retryOff: { outcome, recorder },
  retryOn: { outcome, recorder },
})

const contextRows = ([1, 2, 3, 4, 5, 6, 7, 8] as const).flatMap((variant): FaultCase[] =>
  (['nested', 'flat'] as const).map((shape) => ({
    name: `400 context length, variant ${variant}, ${shape} error shape`,
    fault: shape === 'nested' ? `context-variant:${variant}` : `context-variant:${variant},flat-error-shape`,
    injected:
      shape === 'nested'
        ? `header \`context-variant:${variant}\``
        : `header \`context-variant:${variant},flat-error-shape\``,
    error: 'ContextWindowOverflowError',
    status: 'missing',
    ...same({ throws: 'ContextWindowOverflowError' }, { statuses: ['missing'] }),
  }))
)

/**
 * The fault matrix: the single source of truth for `fault-matrix.test.ts` and the README table
 * (`pnpm --filter @strands-vllm/hardening fault-table` regenerates it; a test checks it is current).
 */
export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: 'no fault (control)',
    injected: '—',
    error: null,
    status: 'exact',
    ...same({ stopReason: 'endTurn' }, { statuses: ['exact', 'exact'] }),
  },
  {
    name: 'stream cut cleanly (no `[DONE]`) after 3 chunks',
    transports: STREAM_ONLY,
    fault: 'cut-stream:3',
    injected: 'header `cut-stream:3`',
    error: 'VLLMStreamError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMStreamError' },
      { statuses: ['incomplete'], reasons: ['stream_incomplete'], keepsPartialIds: true }
    ),
  },
  {
    name: 'stream cut before the first chunk',
    transports: STREAM_ONLY,
    fault: 'cut-stream:0',
    injected: 'header `cut-stream:0`',
    error: 'VLLMStreamError',
    status: 'missing',
    ...same({ throws: 'VLLMStreamError' }, { statuses: ['missing'] }),
  },
  {
    name: 'server closes the socket mid-body',
    transports: STREAM_ONLY,
    fault: 'close-mid-body:3',
    injected: 'header `close-mid-body:3`',
    error: 'VLLMStreamError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMStreamError' },
      { statuses: ['incomplete'], reasons: ['stream_error'], keepsPartialIds: true }
    ),
  },
  {
    name: 'malformed chunk (`data: {not json`)',
    transports: STREAM_ONLY,
    fault: 'malformed-chunk:2',
    injected: 'header `malformed-chunk:2`',
    error: 'VLLMStreamError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMStreamError' },
      { statuses: ['incomplete'], reasons: ['stream_error'], keepsPartialIds: true }
    ),
  },
  {
    name: 'mid-stream `error` payload',
    transports: STREAM_ONLY,
    fault: 'mid-stream-error:2',
    injected: 'header `mid-stream-error:2`',
    error: 'VLLMStreamError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMStreamError' },
      { statuses: ['incomplete'], reasons: ['stream_error'], keepsPartialIds: true }
    ),
  },
  ...contextRows,
  {
    name: '404 unknown model',
    setup: 'unknown-model',
    injected: "`modelId: 'no-such-model'`",
    error: 'VLLMRequestError',
    status: 'missing',
    ...same({ throws: 'VLLMRequestError' }, { statuses: ['missing'] }),
  },
  {
    name: '400 auto tool choice without `--enable-auto-tool-choice`',
    setup: 'no-tool-parser',
    // Token-in parses tool calls on the client: the server's tool parser is not needed.
    modes: CHAT_ONLY,
    injected: 'mock started with `toolParser: null`',
    error: 'VLLMRequestError',
    status: 'missing',
    ...same({ throws: 'VLLMRequestError' }, { statuses: ['missing'] }),
  },
  {
    name: '429 throttled',
    fault: 'status:429',
    injected: 'header `status:429`',
    error: 'ModelThrottledError',
    status: 'missing',
    retryOff: { outcome: { throws: 'ModelThrottledError' }, recorder: { statuses: ['missing'] } },
    retryOn: { outcome: { stopReason: 'endTurn' }, recorder: { statuses: ['missing', 'exact', 'exact'] } },
  },
  {
    name: '429 throttled, flat error shape',
    fault: 'status:429,flat-error-shape',
    injected: 'header `status:429,flat-error-shape`',
    error: 'ModelThrottledError',
    status: 'missing',
    retryOff: { outcome: { throws: 'ModelThrottledError' }, recorder: { statuses: ['missing'] } },
    retryOn: { outcome: { stopReason: 'endTurn' }, recorder: { statuses: ['missing', 'exact', 'exact'] } },
  },
  {
    name: '503 engine unavailable',
    fault: 'status:503',
    injected: 'header `status:503`',
    error: 'VLLMServerUnavailableError',
    status: 'missing',
    ...same({ throws: 'VLLMServerUnavailableError' }, { statuses: ['missing'] }),
  },
  {
    name: '500 internal error',
    fault: 'status:500',
    injected: 'header `status:500`',
    error: 'VLLMServerError',
    status: 'missing',
    ...same({ throws: 'VLLMServerError' }, { statuses: ['missing'] }),
  },
  {
    name: 'connection refused',
    setup: 'connection-refused',
    injected: '`baseUrl` on a port that was just closed',
    error: 'VLLMConnectionError',
    status: 'missing',
    ...same({ throws: 'VLLMConnectionError' }, { statuses: ['missing'] }),
  },
  {
    name: 'slow stream, client timeout shorter than the gap between chunks',
    transports: STREAM_ONLY,
    fault: 'slow:300',
    setup: 'client-timeout',
    injected: 'header `slow:300`, `timeoutMs: 100`',
    error: 'VLLMStreamError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMStreamError' },
      { statuses: ['incomplete'], reasons: ['stream_error'], promptIdsOnly: true }
    ),
    // A completions stream's first chunk carries the prompt ids and the first sampled id together.
    tokenInRecorder: { statuses: ['incomplete'], reasons: ['stream_error'], keepsPartialIds: true },
  },
  {
    name: 'abort: `agent.cancel()` mid-stream',
    transports: STREAM_ONLY,
    fault: 'slow:30',
    setup: 'cancel-mid-stream',
    injected: 'header `slow:30`, `agent.cancel()` after the first text delta',
    error: 'CancelledError',
    status: 'missing',
    ...same({ stopReason: 'cancelled' }, { statuses: ['missing'] }),
  },
  {
    name: 'parser-buffered ids dropped (vLLM #27482)',
    transports: STREAM_ONLY,
    modes: CHAT_ONLY,
    fault: 'drop-parser-ids',
    injected: 'header `drop-parser-ids`',
    error: null,
    status: 'incomplete',
    ...same({ stopReason: 'endTurn' }, { statuses: ['incomplete', 'exact'], reasons: ['completion_count_mismatch'] }),
  },
  {
    name: 'prompt ids missing',
    fault: 'missing-prompt-ids',
    injected: 'header `missing-prompt-ids`',
    error: null,
    status: 'incomplete',
    ...same({ stopReason: 'endTurn' }, { statuses: ['incomplete', 'exact'], reasons: ['prompt_ids_missing'] }),
  },
  {
    name: 'legacy `reasoning_content` field',
    fault: 'legacy-reasoning-field',
    modes: CHAT_ONLY,
    injected: 'header `legacy-reasoning-field`',
    error: null,
    status: 'exact',
    ...same({ stopReason: 'endTurn' }, { statuses: ['exact', 'exact'] }),
  },
  {
    name: 'finish_reason `abort` (server-side abort, e.g. a weight sync)',
    fault: 'finish:abort',
    injected: 'header `finish:abort`',
    error: 'VLLMGenerationAbortedError',
    status: 'incomplete',
    ...same(
      { throws: 'VLLMGenerationAbortedError' },
      { statuses: ['incomplete'], reasons: ['finish_abort'], keepsPartialIds: true }
    ),
  },
  {
    name: 'finish_reason `repetition` (vLLM repetition detection, no EOS)',
    fault: 'finish:repetition',
    injected: 'header `finish:repetition`',
    error: null,
    status: 'exact',
    ...same({ stopReason: 'endTurn' }, { statuses: ['exact'] }),
  },
  {
    name: 'logprobs misaligned per chunk, totals equal',
    fault: 'logprobs-misaligned',
    transports: STREAM_ONLY,
    injected: 'header `logprobs-misaligned`',
    error: null,
    status: 'incomplete',
    ...same({ stopReason: 'endTurn' }, { statuses: ['incomplete', 'exact'], reasons: ['logprobs_misaligned'] }),
  },
  {
    name: 'a second choice index interleaved (`n` is 1)',
    fault: 'choice-index',
    injected: 'header `choice-index`',
    error: null,
    status: 'incomplete',
    ...same({ stopReason: 'endTurn' }, { statuses: ['incomplete', 'exact'], reasons: ['choice_index_unexpected'] }),
  },
  {
    name: 'bare-CR line endings (valid SSE)',
    fault: 'bare-cr',
    transports: STREAM_ONLY,
    injected: 'header `bare-cr`',
    error: null,
    status: 'exact',
    ...same({ stopReason: 'endTurn' }, { statuses: ['exact', 'exact'] }),
  },
  {
    name: 'gateway pause: 429 + `Retry-After` + `X-Agl-Paused`, twice',
    fault: 'pause:0.2:2',
    perRunHeader: true,
    injected: 'header `pause:0.2:2`',
    error: null,
    status: 'exact',
    ...same({ stopReason: 'endTurn' }, { statuses: ['exact', 'exact'] }),
  },
  {
    name: 'gateway pause longer than the pause budget',
    fault: 'pause:60:1',
    perRunHeader: true,
    setup: 'pause-budget',
    injected: 'header `pause:60:1`, `pauseRetry: { budgetMs: 1000 }`',
    error: 'VLLMPauseBudgetExceededError',
    status: 'missing',
    ...same({ throws: 'VLLMPauseBudgetExceededError' }, { statuses: ['missing'] }),
  },
  {
    name: '429 without `Retry-After` (plain throttling)',
    fault: 'throttle',
    injected: 'header `throttle`',
    error: 'ModelThrottledError',
    status: 'missing',
    retryOff: { outcome: { throws: 'ModelThrottledError' }, recorder: { statuses: ['missing'] } },
    retryOn: { outcome: { stopReason: 'endTurn' }, recorder: { statuses: ['missing', 'exact', 'exact'] } },
  },
  {
    name: '`max_tokens` truncation',
    setup: 'max-tokens',
    injected: '`maxTokens: 5`',
    error: 'MaxTokensError',
    status: 'exact',
    ...same({ throws: 'MaxTokensError' }, { statuses: ['exact'] }),
  },
]
