import type { TitoCallRecord } from '../call-record.js'

/**
 * An `exact` record of these ids with neutral metadata (first attempt of invocation 0, no usage, no timing);
 * `extra` overrides any field.
 */
export function exactCall(
  callIndex: number,
  promptTokenIds: number[],
  tokenIds: number[],
  extra: Partial<TitoCallRecord> = {}
): TitoCallRecord {
  return {
    callIndex,
    invocationIndex: 0,
    attempt: 1,
    promptTokenIds,
    tokenIds,
    status: 'exact',
    reasons: [],
    finishReason: 'stop',
    stopReason: null,
    usage: null,
    responseId: null,
    model: null,
    sampling: {},
    toolUses: [],
    timing: { startMs: 0, firstByteMs: null, endMs: 0 },
    ...extra,
  }
}
