import { type TitoCallRecord, toTitoJsonl } from '@strands-vllm/tito'
import type { HfChatTokenizer } from '@strands-vllm/tokenizer'
import type { DriftCallRecord } from './call-record.js'

/** Options for `syntheticCalls` (tests and the benchmark). */
export interface SyntheticOptions {
  rollouts: number
  turnsPerRollout: number
  /** Approximate sampled tokens per response. */
  tokensPerResponse: number
  /** Probability that a multi-character token is emitted as two vocab pieces instead. */
  splitRate: number
  seed?: number
}

const SNIPPETS = [
  ' The query uses GROUP BY with HAVING to filter the aggregated rows.',
  ' Reinforcement learning needs the exact token ids the policy sampled.',
  '\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "San Francisco", "days": 2}}\n</tool_call>',
  '\n```python\ndef retokenize(text):\n    return tokenizer.encode(text)\n```\n',
  ' 2026-11-24T08:24:44Z INFO worker=3 latency_ms=184 status=200',
  ' 東京の天気は晴れです。 Привет, мир! Ça va très bien.',
  ' {"temp_c": 18, "sky": "cloudy", "wind_kph": 12}',
]

/**
 * Rollouts of calls with real Qwen3 ids where some sampled tokens are non-canonical splits, and each
 * next prompt re-encodes the previous response from text (as a re-rendering agent loop would).
 */
export function syntheticCalls(tokenizer: HfChatTokenizer, options: SyntheticOptions): DriftCallRecord[] {
  let state = (options.seed ?? 1) >>> 0 || 1
  const rand = (): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x100000000
  }
  const eos = tokenizer.eosTokenIds[0] as number
  const out: DriftCallRecord[] = []
  for (let r = 0; r < options.rollouts; r++) {
    let prompt = tokenizer.encode(
      `<|im_start|>user\nTask ${r}: explain retokenization.<|im_end|>\n<|im_start|>assistant\n`
    )
    for (let t = 0; t < options.turnsPerRollout; t++) {
      let text = ''
      while (tokenizer.encode(text).length < options.tokensPerResponse)
        text += SNIPPETS[Math.floor(rand() * SNIPPETS.length)]
      const sampled = splitSome(tokenizer, tokenizer.encode(text), options.splitRate, rand)
      const tokenIds = [...sampled, eos]
      out.push({
        callIndex: t,
        invocationIndex: 0,
        attempt: 1,
        rolloutId: `r${r}`,
        promptTokenIds: prompt,
        tokenIds,
        finishReason: 'stop',
        stopReason: null,
        status: 'exact',
      })
      prompt = [
        ...prompt,
        ...tokenizer.encode(tokenizer.decode(sampled)),
        eos,
        ...tokenizer.encode(`\n<|im_start|>user\nContinue ${t}.<|im_end|>\n<|im_start|>assistant\n`),
      ]
    }
  }
  return out
}

function splitSome(tokenizer: HfChatTokenizer, ids: number[], rate: number, rand: () => number): number[] {
  const out: number[] = []
  for (const id of ids) {
    const piece = tokenizer.idToToken(id)
    if (piece && piece.length > 1 && !tokenizer.isSpecial(id) && rand() < rate) {
      const cut = 1 + Math.floor(rand() * (piece.length - 1))
      const left = tokenizer.tokenToId(piece.slice(0, cut))
      const right = tokenizer.tokenToId(piece.slice(cut))
      if (left !== undefined && right !== undefined) {
        out.push(left, right)
        continue
      }
    }
    out.push(id)
  }
  return out
}

/** Records as canonical `tito-call/1` JSONL, written by `@strands-vllm/tito` (one rollout id per record). */
export function syntheticTitoJsonl(records: readonly DriftCallRecord[]): string {
  const calls = records.map((r): TitoCallRecord => {
    const call: TitoCallRecord = {
      callIndex: r.callIndex,
      invocationIndex: r.invocationIndex ?? 0,
      attempt: r.attempt ?? 1,
      status: r.status ?? 'exact',
      reasons: [],
      finishReason: r.finishReason ?? null,
      stopReason: r.stopReason ?? null,
      usage: {
        promptTokens: r.promptTokenIds?.length ?? 0,
        completionTokens: r.tokenIds?.length ?? 0,
        totalTokens: (r.promptTokenIds?.length ?? 0) + (r.tokenIds?.length ?? 0),
      },
      responseId: `chatcmpl-${r.rolloutId ?? ''}-${r.callIndex}`,
      model: 'Qwen/Qwen3-8B',
      sampling: { temperature: 1 },
      toolUses: [],
      timing: { startMs: 0, firstByteMs: 1, endMs: 2 },
    }
    if (r.rolloutId !== undefined) call.rolloutId = r.rolloutId
    if (r.promptTokenIds) call.promptTokenIds = [...r.promptTokenIds]
    if (r.tokenIds) call.tokenIds = [...r.tokenIds]
    return call
  })
  return toTitoJsonl(calls)
}
