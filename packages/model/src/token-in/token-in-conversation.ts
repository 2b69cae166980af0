import { isDeepStrictEqual } from 'node:util'
import type { TitoTokenIn } from '../tito-fields.js'
import type { WireMessage, WireTool } from '../wire.js'
import { computeBridge } from './bridge.js'
import { compareHistory, type HeldConversation, type RenderKeys, type RenderReason, stableKey } from './history.js'
import type { PromptRenderer, Rendered } from './prompt-renderer.js'
import { endsInOpenThink } from './think-block.js'

/** One call's input, formatted as chat mode would send it. */
export interface TokenInCallInput {
  /** System message first (when any), then the conversation. */
  messages: WireMessage[]
  tools: WireTool[]
  chatTemplateKwargs: Record<string, unknown> | undefined
  signal: AbortSignal | undefined
}

/** The prompt of one call and where it came from. */
export interface TokenInPlan {
  prompt: number[]
  tokenIn: TitoTokenIn
  /** The prompt ends inside an open think block (undefined: the renderer gave no token strings). */
  promptEndsInThink: boolean | undefined
  /** The server's `max_model_len`, when a rendering said. */
  maxModelLen: number | undefined
  input: TokenInCallInput
  keys: RenderKeys
}

/** What a finished call leaves for the next one. */
export interface TokenInOutcome {
  sampled: number[]
  /** The prompt ids the server says it used (undefined when it sent none). */
  promptEcho: number[] | undefined
  /** The sampled ids passed the checks that vouch for them. */
  trusted: boolean
  /** The sampled ids end in an end-of-sequence stop (`stop` on EOS): the last id is the template's close. */
  eosStop: boolean
  /** The assistant message the agent will send back. */
  assistant: WireMessage
}

export interface TokenInConversationOptions {
  dummyPrefix: readonly WireMessage[]
  /** Configured end-of-message ids (`eosTokenIds`), read at each call. */
  eosTokenIds: () => readonly number[] | undefined
  warn: (key: string, message: string) => void
}

/**
 * The token sequence of one conversation (one `VLLMModel` instance in token-in mode). The first prompt is the
 * renderer's rendering of the messages; every later one is the previous prompt + the previous sampled ids + the
 * bridge of what was appended, computed once per call by rendering the appended messages behind a dummy prefix;
 * earlier turns are never rendered again. Messages that do not extend what it holds start a fresh rendering, with
 * the reason; the same messages again (a retry after a failure) resend the same prompt.
 */
export class TokenInConversation {
  private held: HeldConversation | undefined
  private attempt: TokenInPlan | undefined
  private readonly learnedEnds = new Set<number>()
  /** The dummy prefix rendered alone, per tools + template arguments. */
  private readonly dummies = new Map<string, Promise<number[]>>()
  private maxModelLen: number | undefined
  private readonly renderer: PromptRenderer
  private readonly options: TokenInConversationOptions

  constructor(renderer: PromptRenderer, options: TokenInConversationOptions) {
    this.renderer = renderer
    this.options = options
  }

  get rendererKind(): 'server' | 'local' {
    return this.renderer.kind
  }

  /** Forget the conversation (the next call renders afresh, reason `first_call`). */
  reset(): void {
    this.held = undefined
    this.attempt = undefined
    this.dummies.clear()
  }

  async plan(input: TokenInCallInput): Promise<TokenInPlan> {
    const keys = keysOf(input)
    const attempt = this.attempt
    if (attempt && isDeepStrictEqual(attempt.keys, keys) && isDeepStrictEqual(attempt.input.messages, input.messages)) {
      return {
        ...attempt,
        input,
        tokenIn: {
          prompt: 'retry',
          renderReason: null,
          renderer: this.renderer.kind,
          bridgeLength: null,
          synthesizedClose: attempt.tokenIn.synthesizedClose,
          previousLength: null,
        },
      }
    }
    const verdict = compareHistory(this.held, input.messages, keys)
    let plan: TokenInPlan | undefined
    if (verdict.kind === 'extend') plan = await this.extend(verdict.appended, input, keys)
    plan ??= await this.render(input, keys, verdict.kind === 'render' ? verdict.reason : 'previous_not_extendable')
    this.attempt = plan
    return plan
  }

  /** A call finished (its events all emitted): what it sampled becomes the prefix of the next prompt. */
  commit(plan: TokenInPlan, outcome: TokenInOutcome): void {
    const last = outcome.sampled[outcome.sampled.length - 1]
    if (outcome.eosStop && last !== undefined) this.learnedEnds.add(last)
    const echoed = outcome.promptEcho === undefined || sameIds(outcome.promptEcho, plan.prompt)
    this.held = {
      messages: plan.input.messages,
      assistant: outcome.assistant,
      prompt: plan.prompt,
      sampled: outcome.sampled,
      extendable: outcome.trusted && echoed,
      keys: plan.keys,
    }
  }

  private async render(input: TokenInCallInput, keys: RenderKeys, reason: RenderReason): Promise<TokenInPlan> {
    // The dummy rendering is needed from the second call on: ask for it now, beside this rendering, so later calls
    // cost one round trip each.
    void this.dummy(keys, input).catch(() => {})
    const rendered = await this.renderer.render({
      messages: input.messages,
      tools: input.tools,
      chatTemplateKwargs: input.chatTemplateKwargs,
      addGenerationPrompt: true,
      tokenStrs: true,
      signal: input.signal,
    })
    this.noteMaxModelLen(rendered)
    return {
      prompt: rendered.ids,
      tokenIn: {
        prompt: 'rendered',
        renderReason: reason,
        renderer: this.renderer.kind,
        bridgeLength: null,
        synthesizedClose: false,
        previousLength: null,
      },
      promptEndsInThink: endsInOpenThink(rendered.tokenStrs),
      maxModelLen: this.maxModelLen,
      input,
      keys,
    }
  }

  private async extend(
    appended: WireMessage[],
    input: TokenInCallInput,
    keys: RenderKeys
  ): Promise<TokenInPlan | undefined> {
    const held = this.held!
    const [before, after] = await Promise.all([
      this.dummy(keys, input),
      this.renderer.render({
        messages: [...this.options.dummyPrefix, ...appended],
        tools: input.tools,
        chatTemplateKwargs: input.chatTemplateKwargs,
        addGenerationPrompt: true,
        tokenStrs: true,
        signal: input.signal,
      }),
    ])
    this.noteMaxModelLen(after)
    const bridge = computeBridge({ before, after: after.ids, previousSampled: held.sampled, endIds: this.endIds() })
    if (!bridge) {
      this.options.warn(
        'token-in-end-id',
        'token-in: the end-of-message id is not known yet (no eosTokenIds, no end-of-sequence stop seen), so the ' +
          "previous turn's close cannot be placed; rendering the conversation afresh. Set eosTokenIds to extend instead"
      )
      return undefined
    }
    const previousLength = held.prompt.length + held.sampled.length
    const prompt = new Array<number>(previousLength + bridge.ids.length)
    let at = 0
    for (const id of held.prompt) prompt[at++] = id
    for (const id of held.sampled) prompt[at++] = id
    for (const id of bridge.ids) prompt[at++] = id
    return {
      prompt,
      tokenIn: {
        prompt: 'extended',
        renderReason: null,
        renderer: this.renderer.kind,
        bridgeLength: bridge.ids.length,
        synthesizedClose: bridge.synthesizedClose,
        previousLength,
      },
      promptEndsInThink: endsInOpenThink(after.tokenStrs),
      maxModelLen: this.maxModelLen,
      input,
      keys,
    }
  }

  /** The dummy prefix alone, without a generation prompt: rendered once per tools + template arguments. */
  private dummy(keys: RenderKeys, input: TokenInCallInput): Promise<number[]> {
    const key = `${keys.tools}\u0000${keys.template}`
    let pending = this.dummies.get(key)
    if (!pending) {
      pending = this.renderer
        .render({
          messages: this.options.dummyPrefix,
          tools: input.tools,
          chatTemplateKwargs: input.chatTemplateKwargs,
          addGenerationPrompt: false,
          tokenStrs: false,
        })
        .then((r) => r.ids)
      // A failed rendering is asked again next time rather than remembered.
      pending.catch(() => this.dummies.delete(key))
      this.dummies.set(key, pending)
    }
    return pending
  }

  private endIds(): ReadonlySet<number> {
    const configured = this.options.eosTokenIds() ?? this.renderer.eosTokenIds
    return configured && configured.length > 0 ? new Set(configured) : this.learnedEnds
  }

  private noteMaxModelLen(rendered: Rendered): void {
    if (rendered.maxModelLen !== undefined) this.maxModelLen = rendered.maxModelLen
  }
}

/** Id lists compared by a loop: `isDeepStrictEqual` would build a key string per element of a long prompt. */
function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function keysOf(input: TokenInCallInput): RenderKeys {
  const first = input.messages[0]
  return {
    system: first?.role === 'system' ? first.content : '',
    tools: stableKey(input.tools),
    template: stableKey(input.chatTemplateKwargs ?? null),
  }
}
