import { type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api'
import {
  AfterModelCallEvent,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  type LocalAgent,
  type ModelStreamEvent,
  ModelStreamUpdateEvent,
  type Plugin,
} from '@strands-agents/sdk'
import { getVLLMResponseFields, type TitoUsage, type VLLMResponseFields } from '@strands-vllm/model'
import type { RecordedToolUse, TitoCallRecord } from './call-record.js'
import { RecorderError } from './errors.js'
import { DEFAULT_SPAN_NAME, titoSpanAttributes } from './span-attributes.js'
import type { StrandsSpanTracker } from './strands-span-tracker.js'

export interface VLLMTokenRecorderOptions {
  /** Open one span per model call carrying the token ids (default true). */
  addToSpan?: boolean
  /** Span name (default `openai.chat.completion`, what Agent Lightning's adapter matches). */
  spanName?: string
  /** Tracer for the per-call spans (default: the global provider's `@strands-vllm/tito` tracer). */
  tracer?: Tracer
  /** Parent for the per-call spans, overriding every other rule. */
  parentContext?: Context
  /** Like `parentContext`, computed per call. Return undefined to fall through to the other rules. */
  getParentContext?: (agent: LocalAgent) => Context | undefined
  /** Lets the recorder find the SDK's `invoke_agent` span when no span is active (see README). */
  spanTracker?: StrandsSpanTracker
  /** Clear `history` at the start of every invocation (default false: history spans invocations). */
  resetOnInvocation?: boolean
  /** Chained observers: functions receiving every raw model stream event, and/or plugins to initialise too. */
  inner?: RecorderInner | readonly RecorderInner[]
  /** Put on every record (and span) for grouping, e.g. the RL rollout id. */
  rolloutId?: string
  /** Where the one-time warnings go (default `console.warn`). */
  warn?: (message: string) => void
}

export type RecorderInner = ((event: ModelStreamEvent) => void) | Plugin

interface CallState {
  startMs: number
  firstByteMs: number | null
  span: Span | undefined
  fields: VLLMResponseFields | undefined
  usage: TitoUsage | null
  agentStopReason: string | undefined
  toolUses: RecordedToolUse[]
  sawMessage: boolean
  modelId: string | null
}

/**
 * A Strands plugin that records the exact token ids of every model call (`history`), and opens
 * one span per call carrying them. One recorder per agent: it throws if attached to a second one.
 *
 * ```ts
 * const recorder = new VLLMTokenRecorder()
 * const agent = new Agent({ model, plugins: [recorder] })
 * await agent.invoke('hi')
 * const { trajectories } = buildTrajectories(recorder.history)
 * ```
 */
export class VLLMTokenRecorder implements Plugin {
  readonly name = 'strands-vllm:token-recorder'
  private readonly records: TitoCallRecord[] = []
  private readonly options: VLLMTokenRecorderOptions
  private readonly inners: readonly RecorderInner[]
  private agent: LocalAgent | undefined
  private current: CallState | undefined
  private invocationIndex = -1
  private warnedNoIds = false
  private warnedAmbiguous = false

  constructor(options: VLLMTokenRecorderOptions = {}) {
    this.options = options
    const inner = options.inner
    this.inners = inner === undefined ? [] : Array.isArray(inner) ? inner : [inner as RecorderInner]
  }

  /** Every model call so far, in call order (one entry per call, failed ones included). */
  get history(): readonly TitoCallRecord[] {
    return this.records
  }

  /** The last call's prompt ids (undefined when the last call returned none: never stale). */
  get promptTokenIds(): number[] | undefined {
    return this.records.at(-1)?.promptTokenIds
  }

  /** The last call's sampled ids (undefined when the last call returned none). */
  get tokenIds(): number[] | undefined {
    return this.records.at(-1)?.tokenIds
  }

  get addToSpan(): boolean {
    return this.options.addToSpan ?? true
  }

  get resetOnInvocation(): boolean {
    return this.options.resetOnInvocation ?? false
  }

  /** Forget every record and start counting calls and invocations from zero. */
  reset(): void {
    this.records.length = 0
    this.invocationIndex = -1
  }

  async initAgent(agent: LocalAgent): Promise<void> {
    if (this.agent && this.agent !== agent) {
      throw new RecorderError(
        'this VLLMTokenRecorder is already attached to another agent: create one recorder per agent, ' +
          'so that concurrent rollouts never mix their records'
      )
    }
    this.agent = agent
    agent.addHook(BeforeInvocationEvent, () => this.onInvocation())
    agent.addHook(BeforeModelCallEvent, (e) => this.onBeforeModelCall(e))
    agent.addHook(ModelStreamUpdateEvent, (e) => this.onStreamEvent(e.event))
    agent.addHook(AfterModelCallEvent, (e) => this.onAfterModelCall(e))
    for (const inner of this.inners) if (typeof inner !== 'function') await inner.initAgent(agent)
  }

  private onInvocation(): void {
    this.finishAbandoned()
    if (this.resetOnInvocation) this.records.length = 0
    this.invocationIndex++
  }

  private onBeforeModelCall(event: BeforeModelCallEvent): void {
    const config = event.model.getConfig() as { returnTokenIds?: unknown }
    if (config.returnTokenIds === false) {
      this.warnOnce(
        'VLLMTokenRecorder: the model was created with returnTokenIds: false, so no token ids will be recorded ' +
          '(every call is recorded as "missing"). Create VLLMModel with returnTokenIds: true.'
      )
    }
    this.finishAbandoned()
    this.current = {
      startMs: Date.now(),
      firstByteMs: null,
      span: this.addToSpan ? this.startSpan(event) : undefined,
      fields: undefined,
      usage: null,
      agentStopReason: undefined,
      toolUses: [],
      sawMessage: false,
      modelId: event.model.modelId ?? null,
    }
  }

  private onStreamEvent(event: ModelStreamEvent): void {
    for (const inner of this.inners) if (typeof inner === 'function') inner(event)
    const state = this.current
    if (!state) return
    if (state.firstByteMs === null) state.firstByteMs = Date.now()
    switch (event.type) {
      case 'modelMessageStartEvent':
        state.sawMessage = true
        break
      case 'modelContentBlockStartEvent':
        if (event.start?.type === 'toolUseStart')
          state.toolUses.push({ id: event.start.toolUseId, name: event.start.name })
        break
      case 'modelMessageStopEvent':
        state.agentStopReason = event.stopReason
        state.fields = getVLLMResponseFields(event.additionalModelResponseFields)
        break
      case 'modelMetadataEvent':
        if (event.usage) {
          state.usage = {
            promptTokens: event.usage.inputTokens,
            completionTokens: event.usage.outputTokens,
            totalTokens: event.usage.totalTokens,
          }
        }
        break
    }
  }

  private onAfterModelCall(event: AfterModelCallEvent): void {
    const state = this.current
    this.current = undefined
    if (!state) return
    const record = this.toRecord(state, event)
    this.records.push(record)
    if (!state.fields && !event.error && state.sawMessage) {
      this.warnOnce(
        'VLLMTokenRecorder: a model call returned no token ids (no tito fields on modelMessageStopEvent). ' +
          'Use VLLMModel from @strands-vllm/model with returnTokenIds: true; such calls are recorded as "missing".'
      )
    }
    const span = state.span
    if (!span) return
    span.setAttributes(titoSpanAttributes(record))
    if (event.error) {
      span.recordException(event.error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message })
    }
    span.end()
  }

  /**
   * A call whose AfterModelCallEvent never came (the consumer stopped `agent.stream()`, or the SDK threw
   * in between): record it as `missing` with an `Abandoned` error and end its span, so no call goes
   * unrecorded and no span stays open.
   */
  private finishAbandoned(): void {
    const state = this.current
    if (!state) return
    this.current = undefined
    const record: TitoCallRecord = {
      callIndex: this.records.length,
      invocationIndex: Math.max(0, this.invocationIndex),
      attempt: 1,
      status: 'missing',
      reasons: [],
      finishReason: null,
      stopReason: null,
      usage: state.usage,
      responseId: null,
      model: state.modelId,
      sampling: {},
      toolUses: state.toolUses,
      timing: { startMs: state.startMs, firstByteMs: state.firstByteMs, endMs: Date.now() },
      error: {
        name: 'Abandoned',
        message: 'the model call never finished (the stream was stopped or the agent failed before it ended)',
      },
    }
    if (this.options.rolloutId !== undefined) record.rolloutId = this.options.rolloutId
    if (state.agentStopReason !== undefined) record.agentStopReason = state.agentStopReason
    this.records.push(record)
    const span = state.span
    if (!span) return
    span.setAttributes(titoSpanAttributes(record))
    span.setStatus({ code: SpanStatusCode.ERROR, message: record.error!.message })
    span.end()
  }

  private toRecord(state: CallState, event: AfterModelCallEvent): TitoCallRecord {
    // A failed stream carries what arrived before the failure (`VLLMStreamError.partial`, never `exact`).
    const fields = state.fields ?? partialFields(event.error)
    const tito = fields?.tito
    const endMs = Date.now()
    const record: TitoCallRecord = {
      callIndex: this.records.length,
      invocationIndex: Math.max(0, this.invocationIndex),
      attempt: event.attemptCount,
      status: tito?.status ?? 'missing',
      reasons: tito?.reasons ?? [],
      finishReason: tito?.finishReason ?? null,
      stopReason: tito?.stopReason ?? null,
      usage: tito?.usage ?? state.usage,
      responseId: tito?.responseId ?? null,
      model: tito?.model ?? event.model.modelId ?? null,
      sampling: tito?.sampling ?? {},
      toolUses: state.toolUses,
      timing: tito?.timing ?? { startMs: state.startMs, firstByteMs: state.firstByteMs, endMs },
    }
    if (this.options.rolloutId !== undefined) record.rolloutId = this.options.rolloutId
    if (fields?.promptTokenIds) record.promptTokenIds = fields.promptTokenIds
    if (fields?.tokenIds) record.tokenIds = fields.tokenIds
    if (fields?.logprobs) record.logprobs = fields.logprobs
    if (fields?.topLogprobs) record.topLogprobs = fields.topLogprobs
    if (state.agentStopReason !== undefined) record.agentStopReason = state.agentStopReason
    if (event.error) record.error = { name: event.error.name, message: event.error.message }
    else if (!state.sawMessage) record.error = { name: 'Cancelled', message: 'the model call was cancelled by a hook' }
    return record
  }

  private startSpan(event: BeforeModelCallEvent): Span {
    const tracer = this.options.tracer ?? trace.getTracer('@strands-vllm/tito')
    const parent = this.parentContext(event.agent)
    const modelId = event.model.modelId
    return tracer.startSpan(
      this.options.spanName ?? DEFAULT_SPAN_NAME,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'vllm',
          ...(modelId ? { 'gen_ai.request.model': modelId } : {}),
        },
      },
      parent
    )
  }

  /** Explicit option, else the active span (the user's rollout span), else this agent's `invoke_agent` span. */
  private parentContext(agent: LocalAgent): Context {
    const explicit = this.options.getParentContext?.(agent) ?? this.options.parentContext
    if (explicit) return explicit
    const active = context.active()
    if (trace.getSpanContext(active)) return active
    const found = this.options.spanTracker?.findAgentSpan({ id: agent.id, name: agentName(agent) })
    if (found && 'span' in found) return trace.setSpan(active, found.span)
    if (found && !this.warnedAmbiguous) {
      this.warnedAmbiguous = true
      this.warn(
        `VLLMTokenRecorder: ${found.ambiguous} running agents share id "${agent.id}" and name ` +
          `"${agentName(agent) ?? ''}", so their invoke_agent spans cannot be told apart; the per-call spans of ` +
          'this agent start new traces. Give each concurrent agent a distinct id, or wrap each rollout in an active span.'
      )
    }
    return active
  }

  private warnOnce(message: string): void {
    if (this.warnedNoIds) return
    this.warnedNoIds = true
    this.warn(message)
  }

  private warn(message: string): void {
    ;(this.options.warn ?? console.warn)(message)
  }
}

function agentName(agent: LocalAgent): string | undefined {
  const name = (agent as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

/** The `VLLMResponseFields` a failed call's error (or one of its causes) carries as `partial`. */
function partialFields(error: unknown): VLLMResponseFields | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const partial = getVLLMResponseFields((e as { partial?: unknown }).partial)
    if (partial) return partial
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}
