import {
  type BaseModelConfig,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
  ToolResultBlock,
} from '@strands-agents/sdk'

/** One scripted assistant turn: tool calls (input as an object, or raw argument text) or a final answer. */
export type ScriptedTurn = { toolCalls: Array<{ name: string; input: unknown }> } | { text: string }

/**
 * A test-only `Model` that replays scripted turns in the SDK's documented stream-event shape
 * (strands-sdk.md §8) and keeps the messages it was called with, so tests can read the tool
 * results the agent sent back. Not a stand-in for vLLM: the end-to-end test uses the mock server.
 */
export class ScriptedModel extends Model<BaseModelConfig> {
  readonly calls: Message[][] = []
  private config: BaseModelConfig = { modelId: 'scripted' }

  constructor(private readonly turns: ScriptedTurn[]) {
    super()
  }

  updateConfig(config: BaseModelConfig): void {
    this.config = { ...this.config, ...config }
  }

  getConfig(): BaseModelConfig {
    return this.config
  }

  /** Text of every tool result the model received in call `index`. */
  toolResultsSeen(index: number): Array<{ status: string; text: string }> {
    const blocks = (this.calls[index] ?? []).flatMap((m) => m.content)
    return blocks
      .filter((b): b is ToolResultBlock => b instanceof ToolResultBlock)
      .map((b) => ({ status: b.status, text: b.content.map((c) => ('text' in c ? c.text : '')).join('') }))
  }

  async *stream(messages: Message[], _options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const turn = this.turns[this.calls.length] ?? { text: 'done' }
    this.calls.push(messages)
    yield { type: 'modelMessageStartEvent', role: 'assistant' }
    if ('text' in turn) {
      yield { type: 'modelContentBlockStartEvent' }
      yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: turn.text } }
      yield { type: 'modelContentBlockStopEvent' }
      yield { type: 'modelMessageStopEvent', stopReason: 'endTurn' }
      return
    }
    for (const [i, call] of turn.toolCalls.entries()) {
      const toolUseId = `call_${this.calls.length}_${i}`
      yield { type: 'modelContentBlockStartEvent', start: { type: 'toolUseStart', name: call.name, toolUseId } }
      const input = typeof call.input === 'string' ? call.input : JSON.stringify(call.input)
      yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'toolUseInputDelta', input } }
      yield { type: 'modelContentBlockStopEvent' }
    }
    yield { type: 'modelMessageStopEvent', stopReason: 'toolUse' }
  }
}
