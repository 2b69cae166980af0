import type {
  TitoInfo,
  TitoPause,
  TitoReason,
  TitoStatus,
  TitoTokenIn,
  TitoUsage,
  TokenInRenderReason,
  TopLogprob,
} from '@strands-vllm/model'

/** A tool call the model made in this response (ids are the ones the agent executes). */
export interface RecordedToolUse {
  id: string
  name: string
}

/** Which request path produced a call: the server renders the chat, or the client sends token ids. */
export type TitoCallMode = TitoInfo['mode']

/** `stream`: SSE; `json`: one non-streaming response (what Agent Lightning v1's gateway requires). */
export type TitoTransport = TitoInfo['transport']

/** The model's types for a call's pauses and token-in provenance, re-exported with the record that holds them. */
export type { TitoPause, TitoTokenIn, TokenInRenderReason }

/**
 * One model call, as the recorder saw it. Every call gets one, in call order, including calls
 * that failed or came back without ids (`status: 'missing'`), so gaps stay visible.
 */
export interface TitoCallRecord {
  /** 0-based position in the recorder's history (since the last reset). */
  callIndex: number
  /** 0-based count of agent invocations seen by the recorder (since the last reset). */
  invocationIndex: number
  /** 1-based attempt number within the turn (`AfterModelCallEvent.attemptCount`): > 1 means a retry. */
  attempt: number
  /** Optional user-given rollout id (recorder option `rolloutId`). */
  rolloutId?: string
  /** The full templated prompt vLLM computed. Absent when the server did not return it. */
  promptTokenIds?: number[]
  /** Every sampled id, in order. Absent when the server did not return them. */
  tokenIds?: number[]
  /** Per sampled id, when logprobs were requested (aligned 1:1 with `tokenIds`). */
  logprobs?: number[]
  /** The token text of each logprob entry as the server sent it (aligned 1:1 with `tokenIds`). */
  logprobTokens?: string[]
  topLogprobs?: TopLogprob[][]
  /** `exact` only when every wire check passed; the builder excludes anything else by default. */
  status: TitoStatus
  reasons: TitoReason[]
  /** vLLM's `finish_reason` (`stop`, `length`, `tool_calls`, …). */
  finishReason: string | null
  /** vLLM's `stop_reason` (null = EOS, int = stop token id, string = stop string). */
  stopReason: number | string | null
  /** The Strands stop reason the model mapped it to (`endTurn`, `toolUse`, `maxTokens`, …). */
  agentStopReason?: string
  usage: TitoUsage | null
  responseId: string | null
  model: string | null
  sampling: Record<string, unknown>
  toolUses: RecordedToolUse[]
  /** Epoch milliseconds. `firstByteMs` is null when nothing was received. */
  timing: { startMs: number; firstByteMs: number | null; endMs: number }
  /** Set when the call threw (the SDK's error name and message; never request headers). */
  error?: { name: string; message: string }
  /** Request path (absent in records of older model versions). */
  mode?: TitoCallMode
  transport?: TitoTransport
  /** The session key sent with the request (body `session_id` + header), null when none was sent. */
  sessionId?: string | null
  /** 429 pauses ridden out before this call's response. */
  pauses?: TitoPause[]
  /** Token-in calls only: where the prompt came from. */
  tokenIn?: TitoTokenIn
}

/**
 * The fields the trajectory builder needs; a `TitoCallRecord` or a parsed JSONL record both fit.
 * `attempt` and `invocationIndex` are optional for older data: without them a call is never taken for a
 * retry (a retry is `attempt > 1` in the same invocation) and invocation boundaries are not seen.
 * The other optional fields refine the build: `rolloutId` (grouping), `stopReason` (a stop string or stop
 * token is not an end-of-sequence stop), `toolUses` (tool names the SDK rewrites), `timing` (verl metrics),
 * `tokenIn` (token-in invariants and render reasons).
 */
export type TrajectoryCall = Pick<
  TitoCallRecord,
  'callIndex' | 'promptTokenIds' | 'tokenIds' | 'logprobs' | 'status' | 'finishReason'
> &
  Partial<
    Pick<
      TitoCallRecord,
      'attempt' | 'invocationIndex' | 'rolloutId' | 'stopReason' | 'toolUses' | 'timing' | 'tokenIn' | 'mode'
    >
  >
