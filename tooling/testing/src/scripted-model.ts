import {
  type BaseModelConfig,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
  ToolResultBlock,
} from '@strands-agents/sdk'
import { SESSION_STATE_KEY, type VLLMResponseFields } from '@strands-vllm/model'

/** One scripted model response, emitted in the event shape `VLLMModel` uses (strands-sdk.md §8). */
export interface ScriptedTurn {
  text?: string
  /** `input` is sent as JSON, a string as raw argument text; `id` defaults to `call_<call>_<i>`. */
  toolCalls?: Array<{ id?: string; name: string; input: unknown }>
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

/**
 * A real `Model` subclass for tests of hooks and plugins: replays scripted turns and keeps what each call was
 * given. Not a stand-in for vLLM (no mock of fetch or the openai client): tests of the wire use the mock server.
 */
export class ScriptedModel extends Model<ScriptedModelConfig> {
  private config: ScriptedModelConfig
  /** The messages of each call, in call order. */
  readonly calls: Message[][] = []
  /** The session key each call would send (`modelState` `SESSION_STATE_KEY`, as `VLLMModel` reads it). */
  readonly sessionKeys: Array<string | undefined> = []

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

  /** Text of every tool result the model received in call `index`. */
  toolResultsSeen(index: number): Array<{ status: string; text: string }> {
    return (this.calls[index] ?? [])
      .flatMap((m) => m.content)
      .filter((b): b is ToolResultBlock => b instanceof ToolResultBlock)
      .map((b) => ({ status: b.status, text: b.content.map((c) => ('text' in c ? c.text : '')).join('') }))
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const turn = this.turns[this.calls.length]
    this.calls.push(messages)
    const key = options?.modelState?.get(SESSION_STATE_KEY)
    this.sessionKeys.push(typeof key === 'string' ? key : undefined)
    if (!turn) throw new Error(`ScriptedModel: no scripted turn for call ${this.calls.length}`)
    if (turn.delayMs) await new Promise((resolve) => setTimeout(resolve, turn.delayMs))
    if (turn.error) throw turn.error
    yield { type: 'modelMessageStartEvent', role: 'assistant' }
    if (turn.text !== undefined) {
      yield { type: 'modelContentBlockStartEvent' }
      yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: turn.text } }
      yield { type: 'modelContentBlockStopEvent' }
    }
    for (const [i, call] of (turn.toolCalls ?? []).entries()) {
      const toolUseId = call.id ?? `call_${this.calls.length}_${i}`
      yield { type: 'modelContentBlockStartEvent', start: { type: 'toolUseStart', name: call.name, toolUseId } }
      const input = typeof call.input === 'string' ? call.input : JSON.stringify(call.input)
      yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'toolUseInputDelta', input } }
      yield { type: 'modelContentBlockStopEvent' }
    }
    yield {
      type: 'modelMessageStopEvent',
      stopReason: turn.toolCalls?.length ? 'toolUse' : 'endTurn',
      // a JSON copy, as the SDK's own event copying would give the recorder
      ...(turn.fields ? { additionalModelResponseFields: JSON.parse(JSON.stringify(turn.fields)) } : {}),
    }
    if (turn.usage) {
      const { inputTokens, outputTokens } = turn.usage
      yield {
        type: 'modelMetadataEvent',
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      }
    }
  }
}
