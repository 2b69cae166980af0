import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import {
  AfterInvocationEvent,
  AfterModelCallEvent,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  type LocalAgent,
  type ModelStreamEvent,
  ModelStreamUpdateEvent,
  type Plugin,
} from '@strands-agents/sdk'
import {
  getVLLMResponseFields,
  SESSION_STATE_KEY,
  type TitoPause,
  type TitoTokenIn,
  type TitoUsage,
  type VLLMResponseFields,
} from '@strands-vllm/model'
import type { RecordedToolUse, TitoCallMode, TitoCallRecord, TitoTransport } from './call-record.js'
import { RecorderError } from './errors.js'
import { TitoJsonlSink, type TitoJsonlSinkOptions } from './jsonl-sink.js'
import { DEFAULT_SPAN_NAME, DEFAULT_UNTRAINABLE_SPAN_NAME, titoSpanAttributes } from './span-attributes.js'
import type { StrandsSpanTracker } from './strands-span-tracker.js'

export interface VLLMTokenRecorderOptions {
  /** Open one span per model call carrying the token ids (default true). */
  addToSpan?: boolean
  /** Span name (default `openai.chat.completion`, what Agent Lightning's adapter matches). */
  spanName?: string
  /**
   * Name a span is renamed to when its call must not be trained on: not `exact` (failed, cut, cancelled,
   * abandoned) or superseded by a retry. Default `strands_vllm.untrainable_call`, which Agent Lightning v0.3's
   * `openai\.chat\.completion` match skips (it ignores span status). `false` keeps `spanName` for every call.
   */
  untrainableSpanName?: string | false
  /**
   * Extra attributes on every per-call span, set when the span starts: static, or computed from the agent
   * (e.g. `agentlightning.rollout_id` / `agentlightning.attempt_id` of the rollout this agent runs).
   */
  spanAttributes?: Attributes | ((agent: LocalAgent) => Attributes | undefined)
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
  /**
   * Put on every record (and span) for grouping, e.g. the RL rollout id. Also written to the agent's
   * `modelState` (`SESSION_STATE_KEY` of `@strands-vllm/model`) at each invocation, which `VLLMModel` sends as its
   * session key.
   */
  rolloutId?: string
  /**
   * Append every finished call to canonical JSONL as it completes (a file path, or options), so a process killed
   * mid-rollout loses at most the call in flight. See `TitoJsonlSinkOptions`.
   */
  sink?: string | TitoJsonlSinkOptions
  /** Called with every record once it is in `history` (and written to the sink). */
  onRecord?: (record: TitoCallRecord) => void
  /** Where the one-time warnings go (default `console.warn`). */
  warn?: (message: string) => void
}

export type RecorderInner = ((event: ModelStreamEvent) => void) | Plugin

interface CallState {
  startMs: number
  /** `performance.now()` at `startMs`: the call's span ends at `startMs` + the elapsed time, in whole ms. */
  startedAt: number
  firstByteMs: number | null
  span: Span | undefined
  fields: VLLMResponseFields | undefined
  usage: TitoUsage | null
  agentStopReason: string | undefined
  toolUses: RecordedToolUse[]
  sawMessage: boolean
  modelId: string | null
}

/** An `exact` call's span, held open until we know whether a retry supersedes it. */
interface HeldSpan {
  span: Span
  record: TitoCallRecord
  event: AfterModelCallEvent
  /** Epoch ms the span ends at. */
  endMs: number
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
  private records: TitoCallRecord[] = []
  private snapshot: readonly TitoCallRecord[] | undefined
  private readonly options: VLLMTokenRecorderOptions
  private readonly sink: TitoJsonlSink | undefined
  private held: HeldSpan | undefined
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
    const sink = options.sink
    this.sink = sink === undefined ? undefined : new TitoJsonlSink(typeof sink === 'string' ? { path: sink } : sink)
  }

  /**
   * Every model call so far, in call order (one entry per call, failed ones included). A frozen snapshot: a
   * history kept for one rollout never changes when the recorder records more calls or resets for the next.
   */
  get history(): readonly TitoCallRecord[] {
    if (!this.snapshot) this.snapshot = Object.freeze([...this.records])
    return this.snapshot
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

  /** Forget every record and start counting calls and invocations from zero (histories already taken stay as they are). */
  reset(): void {
    this.endHeldSpan()
    this.clearRecords()
    this.invocationIndex = -1
  }

  private clearRecords(): void {
    this.records = []
    this.snapshot = undefined
    this.sink?.reset()
  }

  async initAgent(agent: LocalAgent): Promise<void> {
    if (this.agent && this.agent !== agent) {
      throw new RecorderError(
        'this VLLMTokenRecorder is already attached to another agent: create one recorder per agent, ' +
          'so that concurrent rollouts never mix their records'
      )
    }
    this.agent = agent
    agent.addHook(BeforeInvocationEvent, (e) => this.onInvocation(e.agent))
    agent.addHook(AfterInvocationEvent, () => {
      this.endHeldSpan()
    })
    agent.addHook(BeforeModelCallEvent, (e) => this.onBeforeModelCall(e))
    agent.addHook(ModelStreamUpdateEvent, (e) => this.onStreamEvent(e.event))
    agent.addHook(AfterModelCallEvent, (e) => this.onAfterModelCall(e))
    for (const inner of this.inners) if (typeof inner !== 'function') await inner.initAgent(agent)
  }

  private onInvocation(agent: LocalAgent): void {
    this.endHeldSpan()
    this.finishAbandoned()
    if (this.resetOnInvocation) this.clearRecords()
    this.invocationIndex++
    // The model's session key (sticky routing, prefix-cache reuse) follows the rollout.
    if (this.options.rolloutId !== undefined) agent.modelState.set(SESSION_STATE_KEY, this.options.rolloutId)
  }

  private onBeforeModelCall(event: BeforeModelCallEvent): void {
    const config = event.model.getConfig() as { returnTokenIds?: unknown }
    if (config.returnTokenIds === false) {
      this.warnOnce(
        'VLLMTokenRecorder: the model was created with returnTokenIds: false, so no token ids will be recorded ' +
          '(every call is recorded as "missing"). Create VLLMModel with returnTokenIds: true.'
      )
    }
    const retryOf = this.endHeldSpan()
    this.finishAbandoned()
    const startMs = Date.now()
    this.current = {
      startMs,
      startedAt: performance.now(),
      firstByteMs: null,
      span: this.addToSpan ? this.startSpan(event, retryOf, startMs) : undefined,
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
    if (!state.fields && !event.error && state.sawMessage) {
      this.warnOnce(
        'VLLMTokenRecorder: a model call returned no token ids (no tito fields on modelMessageStopEvent). ' +
          'Use VLLMModel from @strands-vllm/model with returnTokenIds: true; such calls are recorded as "missing".'
      )
    }
    const span = state.span
    if (span) {
      span.setAttributes(titoSpanAttributes(record))
      if (event.error) {
        span.recordException(event.error)
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message })
      }
      if (record.status !== 'exact') {
        this.markUntrainable(span)
        span.end()
      } else {
        // Whether a retry supersedes this call is known only after every AfterModelCallEvent hook ran
        // (`event.retry`): hold the span open and end it, with this time, at the next call, invocation or reset.
        // Start + elapsed, as OpenTelemetry ends the SDK's spans (their starts are whole ms too), so the span ends
        // inside its parent cycle; rounded down to a whole ms, so it ends no later than any span started after it
        // begins. (A plain `Date.now()` could end it after its cycle: v0.3's adapter then re-parents the cycle under
        // it and loses a call. A finer end could pass a reward span's whole-ms start: the reward goes to the call
        // before.)
        this.held = { span, record, event, endMs: Math.floor(state.startMs + performance.now() - state.startedAt) }
      }
    }
    this.push(record)
  }

  /** Record a call: history, the JSONL sink, then `onRecord`. */
  private push(record: TitoCallRecord): void {
    this.records.push(record)
    this.snapshot = undefined
    this.sink?.append(record)
    this.options.onRecord?.(record)
  }

  /**
   * End the held span of the last exact call. When a hook asked for a retry, that call is superseded: its span
   * is renamed so it is not trained on. Returns the superseded call's index, for the retry's span.
   */
  private endHeldSpan(): number | undefined {
    const held = this.held
    if (!held) return undefined
    this.held = undefined
    const superseded = held.event.retry === true
    if (superseded) {
      held.span.setAttribute('tito.superseded', true)
      this.markUntrainable(held.span)
    }
    held.span.end(held.endMs)
    return superseded ? held.record.callIndex : undefined
  }

  private markUntrainable(span: Span): void {
    span.setAttribute('tito.trainable', false)
    const name = this.options.untrainableSpanName ?? DEFAULT_UNTRAINABLE_SPAN_NAME
    if (name !== false) span.updateName(name)
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
    const span = state.span
    if (span) {
      span.setAttributes(titoSpanAttributes(record))
      span.setStatus({ code: SpanStatusCode.ERROR, message: record.error!.message })
      this.markUntrainable(span)
      span.end()
    }
    this.push(record)
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
    const extra = fields as (VLLMResponseFields & { logprobTokens?: string[] }) | undefined
    if (extra?.logprobTokens) record.logprobTokens = extra.logprobTokens
    copyRequestPath(record, tito)
    if (state.agentStopReason !== undefined) record.agentStopReason = state.agentStopReason
    if (event.error) record.error = { name: event.error.name, message: event.error.message }
    else if (!state.sawMessage) record.error = { name: 'Cancelled', message: 'the model call was cancelled by a hook' }
    return record
  }

  private startSpan(event: BeforeModelCallEvent, retryOf: number | undefined, startMs: number): Span {
    const tracer = this.options.tracer ?? trace.getTracer('@strands-vllm/tito')
    const parent = this.parentContext(event.agent)
    const modelId = event.model.modelId
    const extra = this.options.spanAttributes
    return tracer.startSpan(
      this.options.spanName ?? DEFAULT_SPAN_NAME,
      {
        kind: SpanKind.CLIENT,
        startTime: startMs,
        attributes: {
          ...(typeof extra === 'function' ? extra(event.agent) : extra),
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'vllm',
          ...(modelId ? { 'gen_ai.request.model': modelId } : {}),
          // The call this retry replaces (its span was renamed untrainable when the retry started).
          ...(retryOf !== undefined ? { 'tito.retry_of_call_index': retryOf } : {}),
        },
      },
      parent
    )
  }

  /**
   * Explicit option, else the active span (the user's rollout span), else this agent's current agent-loop cycle
   * span (or its `invoke_agent` span).
   */
  private parentContext(agent: LocalAgent): Context {
    const explicit = this.options.getParentContext?.(agent) ?? this.options.parentContext
    if (explicit) return explicit
    const active = context.active()
    if (trace.getSpanContext(active)) return active
    const found = this.options.spanTracker?.findCallParent({ id: agent.id, name: agentName(agent) })
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

/** The request-path fields of newer model versions (`mode`, `transport`, `sessionId`, `pauses`, `tokenIn`). */
interface RequestPathFields {
  mode?: TitoCallMode
  transport?: TitoTransport
  sessionId?: string | null
  pauses?: TitoPause[]
  tokenIn?: TitoTokenIn
}

function copyRequestPath(record: TitoCallRecord, tito: VLLMResponseFields['tito'] | undefined): void {
  const t = tito as RequestPathFields | undefined
  if (!t) return
  if (t.mode !== undefined) record.mode = t.mode
  if (t.transport !== undefined) record.transport = t.transport
  if (t.sessionId !== undefined) record.sessionId = t.sessionId
  if (t.pauses !== undefined) record.pauses = t.pauses
  if (t.tokenIn !== undefined) record.tokenIn = t.tokenIn
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
