/**
 * The per-call input of the analysis: structurally compatible with the recorder's history entries
 * and with what `parseCallsJsonl` reads from the canonical `tito-call/1` JSONL.
 */
export interface DriftCallRecord {
  /** Order of the call within its rollout. */
  callIndex: number
  /** Calls of different rollouts are never compared with each other. */
  rolloutId?: string | undefined
  /**
   * The recorder's invocation count. Calls of one history (since the recorder's last reset) are compared
   * in order of appearance; a `callIndex` that does not go up, or an `invocationIndex` that goes down,
   * starts a new history (`resetOnInvocation: true`, `recorder.reset()`), never compared with the last.
   * Also passed to the trajectory builder, which tells a new episode from drift by it.
   */
  invocationIndex?: number | undefined
  /** 1-based attempt within the turn; > 1 is a retry (passed to the trajectory builder). */
  attempt?: number | undefined
  /** The full templated prompt vLLM computed for this call. */
  promptTokenIds?: readonly number[] | undefined
  /** Every sampled id of this call. */
  tokenIds?: readonly number[] | undefined
  /** Per sampled id, when logprobs were recorded (aligned 1:1 with `tokenIds`); summarised per call in reports. */
  logprobs?: readonly number[] | undefined
  finishReason?: string | null | undefined
  /** vLLM's `stop_reason`: an int stop token id is stripped like EOS. */
  stopReason?: number | string | null | undefined
  /** The recorder's wire-check verdict; calls that are not `exact` are counted, never analysed. Default `exact`. */
  status?: 'exact' | 'incomplete' | 'missing' | undefined
}
