import {
  type BaseModelConfig,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
} from '@strands-agents/sdk'
import type { VLLMResponseFields } from '@strands-vllm/model'

/** One scripted model response, emitted in exactly the event shape `VLLMModel` uses. */
export interface ScriptedTurn {
  text?: string
  toolCalls?: Array<{ id: string; name: string; input: Record<string, unknown> }>
  /** `additionalModelResponseFields` on `modelMessageStopEvent`; omit to simulate a model without ids. */
  fields?: VLLMResponseFields
  usage?: { inputTokens: number; outputTokens: number }
  /** Throw this instead of answering. */
  error?: Error
  /** Wait before answering (lets concurrent agents interleave). */
  delayMs?: number
}

export interface ScriptedModelConfig extends BaseModelConfig {
  returnTokenIds?: boolean
}

/** A real `Model` subclass for tests: replays scripted turns (not a mock of fetch or the openai client). */
export class ScriptedModel extends Model<ScriptedModelConfig> {
  private config: ScriptedModelConfig
  readonly seen: Message[][] = []
  /** The session key each call would send (`modelState` `strands-vllm:session-id`, as `VLLMModel` reads it). */
  readonly sessionKeys: Array<string | undefined> = []
  private next = 0

  constructor(
    private readonly turns: ScriptedTurn[],
    config: ScriptedModelConfig = {}
  ) {
    super()
    this.config = { modelId: 'Qwen/Qwen3-8B', ...config }
  }

  updateConfig(config: ScriptedModelConfig): void {
    this.config = { ...this.config, ...config }
  }

  getConfig(): ScriptedModelConfig {
    return this.config
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncIterable<ModelStreamEvent> {
    this.seen.push(messages)
    const key = options?.modelState?.get('strands-vllm:session-id')
    this.sessionKeys.push(typeof key === 'string' ? key : undefined)
    const turn = this.turns[this.next++]
    if (!turn) throw new Error('ScriptedModel: no more scripted turns')
    if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs))
    if (turn.error) throw turn.error
    yield { type: 'modelMessageStartEvent', role: 'assistant' }
    if (turn.text) {
      yield { type: 'modelContentBlockStartEvent' }
      yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: turn.text } }
      yield { type: 'modelContentBlockStopEvent' }
    }
    for (const call of turn.toolCalls ?? []) {
      yield {
        type: 'modelContentBlockStartEvent',
        start: { type: 'toolUseStart', name: call.name, toolUseId: call.id },
      }
      yield {
        type: 'modelContentBlockDeltaEvent',
        delta: { type: 'toolUseInputDelta', input: JSON.stringify(call.input) },
      }
      yield { type: 'modelContentBlockStopEvent' }
    }
    yield {
      type: 'modelMessageStopEvent',
      stopReason: turn.toolCalls?.length ? 'toolUse' : 'endTurn',
      ...(turn.fields ? { additionalModelResponseFields: JSON.parse(JSON.stringify(turn.fields)) } : {}),
    }
    if (turn.usage) {
      yield {
        type: 'modelMetadataEvent',
        usage: { ...turn.usage, totalTokens: turn.usage.inputTokens + turn.usage.outputTokens },
      }
    }
  }
}

/** Tito fields for a scripted call. */
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
