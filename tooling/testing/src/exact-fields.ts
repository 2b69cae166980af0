import type { VLLMResponseFields } from '@strands-vllm/model'

/** The fields `VLLMModel` would attach to an `exact` call with these ids (logprobs -0.125, -0.25, …). */
export function exactFields(
  promptTokenIds: number[],
  tokenIds: number[],
  extra: Partial<VLLMResponseFields['tito']> = {}
): VLLMResponseFields {
  const tito = {
    status: 'exact' as const,
    reasons: [],
    finishReason: 'stop',
    stopReason: null,
    usage: { promptTokens: promptTokenIds.length, completionTokens: tokenIds.length, totalTokens: 0 },
    responseId: `chatcmpl-${promptTokenIds.length}-${tokenIds.length}`,
    model: 'Qwen/Qwen3-8B',
    sampling: { temperature: 1 },
    timing: { startMs: 1, firstByteMs: 2, endMs: 3 },
    mode: 'chat' as const,
    transport: 'stream' as const,
    sessionId: null,
    pauses: [],
    ...extra,
  }
  // Built as a variable: the model's `TitoInfo` gains fields over versions; extra keys are fine either way.
  return { promptTokenIds, tokenIds, logprobs: tokenIds.map((_, i) => -0.125 * (i + 1)), tito } as VLLMResponseFields
}
