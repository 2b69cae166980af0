import { isNonNegativeInteger } from './non-negative-integer.js'
import type {
  TitoPause,
  TitoReason,
  TitoStatus,
  TitoTokenIn,
  TitoUsage,
  TopLogprob,
  VLLMResponseFields,
} from './tito-fields.js'
import type { WireChoice, WireCompletionChoice, WireUsage } from './wire.js'

export interface CaptureOptions {
  logprobs: boolean
  topLogprobs: boolean
  sampling: Record<string, unknown>
  eosTokenIds: readonly number[] | undefined
  startMs: number
  /** Default `chat`. */
  mode?: 'chat' | 'token-in'
  /** Default `stream`. */
  transport?: 'stream' | 'json'
  sessionId?: string | null
}

/** Finish reasons whose meaning is known (vllm-protocol.md §0); `abort` is known too, and never a clean end. */
const KNOWN_FINISH_REASONS: ReadonlySet<string> = new Set([
  'stop',
  'length',
  'tool_calls',
  'repetition',
  'content_filter',
])

/**
 * Collects one call's ids and logprobs straight off the wire and checks them when the call ends. Ids are
 * validated, never coerced: a boolean, float or string makes the call `incomplete`. Logprobs are checked per
 * chunk (one entry per id in that chunk), so a shifted pairing can never pass as `exact`. Only choice index 0 is
 * captured; any other index is a reason, never merged. One instance per call (the model holds none).
 */
export class TokenCapture {
  readonly tokenIds: number[] = []
  readonly logprobs: number[] = []
  readonly logprobTokens: string[] = []
  readonly topLogprobs: TopLogprob[][] = []
  promptTokenIds: number[] | undefined
  finishReason: string | null = null
  stopReason: number | string | null = null
  usage: TitoUsage | null = null
  responseId: string | null = null
  model: string | null = null
  firstByteMs: number | null = null
  pauses: TitoPause[] = []
  tokenIn: TitoTokenIn | undefined
  private usageInvalid = false
  private promptSeen = 0
  private promptInvalid = false
  /** Every `token_ids` entry of choice 0, valid or not (what logprob entries must line up with). */
  private idEntries = 0
  private invalidTokenIds = 0
  private logprobEntries = 0
  private invalidLogprobs = 0
  private misalignedChunks = 0
  private otherChoices = 0
  private otherIndex: unknown
  private readonly options: CaptureOptions

  constructor(options: CaptureOptions) {
    this.options = options
  }

  addPromptTokenIds(value: unknown): void {
    this.promptSeen++
    if (this.promptSeen > 1) return
    if (Array.isArray(value) && value.every(isNonNegativeInteger)) this.promptTokenIds = value
    else this.promptInvalid = true
  }

  /**
   * Hot path: one chat chunk's choice (or a non-streaming chat choice). Returns false for a choice other than
   * index 0, which is counted and must not be fed to the event mapper either.
   */
  addChoice(choice: WireChoice): boolean {
    const index = choice.index
    if (index !== 0 && index !== undefined && !this.isFirstChoice(index)) return false
    const ids = this.addIds(choice.token_ids)
    if (!this.options.logprobs) return true
    const entries: unknown = choice.logprobs?.content
    if (entries === undefined || entries === null) {
      if (ids > 0) this.misalignedChunks++
      return true
    }
    if (!Array.isArray(entries)) {
      this.invalidLogprobs++
      return true
    }
    const count = entries.length
    if (count !== ids) this.misalignedChunks++
    this.logprobEntries += count
    const top = this.options.topLogprobs
    for (let i = 0; i < count; i++) {
      const entry: unknown = entries[i]
      if (typeof entry === 'object' && entry !== null) {
        const e = entry as { logprob?: unknown; token?: unknown }
        this.pushLogprob(e.logprob, e.token)
      } else this.invalidLogprobs++
      if (top) this.topLogprobs.push(readChatTopLogprobs(entry))
    }
    return true
  }

  /** A `/v1/completions` choice (chunk or whole): ids, prompt ids and the parallel-array logprobs. */
  addCompletionChoice(choice: WireCompletionChoice): boolean {
    if (!this.isFirstChoice(choice.index)) return false
    if (choice.prompt_token_ids !== undefined && choice.prompt_token_ids !== null) {
      this.addPromptTokenIds(choice.prompt_token_ids)
    }
    const ids = this.addIds(choice.token_ids)
    if (!this.options.logprobs) return true
    const lp = choice.logprobs
    if (lp === undefined || lp === null) {
      if (ids > 0) this.misalignedChunks++
      return true
    }
    const values = lp.token_logprobs
    const tokens = lp.tokens
    if (!Array.isArray(values) || !Array.isArray(tokens) || tokens.length !== values.length) {
      this.invalidLogprobs++
      return true
    }
    if (values.length !== ids) this.misalignedChunks++
    this.logprobEntries += values.length
    const tops = Array.isArray(lp.top_logprobs) ? (lp.top_logprobs as unknown[]) : undefined
    for (let i = 0; i < values.length; i++) {
      this.pushLogprob(values[i], tokens[i])
      if (this.options.topLogprobs) this.topLogprobs.push(readCompletionTopLogprobs(tops?.[i]))
    }
    return true
  }

  finish(finishReason: string, stopReason: number | string | null | undefined): void {
    this.finishReason = finishReason
    this.stopReason = stopReason ?? null
  }

  setUsage(usage: WireUsage): void {
    const prompt = usage.prompt_tokens
    const completion = usage.completion_tokens
    if (!isNonNegativeInteger(prompt) || !isNonNegativeInteger(completion)) {
      // A usage object we cannot trust is as good as none: the counts cannot vouch for the ids.
      this.usageInvalid = true
      this.usage = null
      return
    }
    this.usageInvalid = false
    this.usage = {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: isNonNegativeInteger(usage.total_tokens) ? usage.total_tokens : prompt + completion,
    }
  }

  /**
   * The `additionalModelResponseFields` value. `failure` marks a call that did not end
   * normally; such a call is never `exact`.
   */
  toFields(failure?: TitoReason): VLLMResponseFields {
    const reasons = this.check()
    if (failure) reasons.push(failure)
    const hasIds = this.promptTokenIds !== undefined || this.tokenIds.length > 0
    const status: TitoStatus = !hasIds ? 'missing' : reasons.length > 0 ? 'incomplete' : 'exact'
    const options = this.options
    const fields: VLLMResponseFields = {
      tito: {
        status,
        reasons,
        finishReason: this.finishReason,
        stopReason: this.stopReason,
        usage: this.usage,
        responseId: this.responseId,
        model: this.model,
        sampling: options.sampling,
        timing: { startMs: options.startMs, firstByteMs: this.firstByteMs, endMs: Date.now() },
        mode: options.mode ?? 'chat',
        transport: options.transport ?? 'stream',
        sessionId: options.sessionId ?? null,
        pauses: this.pauses,
        ...(this.tokenIn === undefined ? {} : { tokenIn: this.tokenIn }),
      },
    }
    if (this.promptTokenIds !== undefined) fields.promptTokenIds = this.promptTokenIds
    fields.tokenIds = this.tokenIds
    if (options.logprobs && this.logprobsPairWithIds()) {
      fields.logprobs = this.logprobs
      if (this.logprobTokens.length === this.logprobs.length) fields.logprobTokens = this.logprobTokens
      if (options.topLogprobs) fields.topLogprobs = this.topLogprobs
    }
    return fields
  }

  private isFirstChoice(index: number | undefined): boolean {
    if (index === undefined || index === 0) return true
    this.otherChoices++
    this.otherIndex ??= index
    return false
  }

  /** Appends the valid ids; returns how many entries the chunk carried (valid or not). */
  private addIds(ids: unknown): number {
    if (ids === undefined || ids === null) return 0
    if (!Array.isArray(ids)) {
      this.invalidTokenIds++
      this.idEntries++
      return 1
    }
    const out = this.tokenIds
    for (let i = 0; i < ids.length; i++) {
      const id: unknown = ids[i]
      if (isNonNegativeInteger(id)) out.push(id)
      else this.invalidTokenIds++
    }
    this.idEntries += ids.length
    return ids.length
  }

  private pushLogprob(value: unknown, token: unknown): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.invalidLogprobs++
    else if (typeof token === 'string') {
      this.logprobs.push(value)
      this.logprobTokens.push(token)
    } else if (token === undefined) {
      // A logprob without its token text (older shapes): the value still pairs with its id.
      this.logprobs.push(value)
    } else this.invalidLogprobs++
  }

  /** The Logprobs rule: values only when every entry is valid and every chunk lined up with its ids. */
  private logprobsPairWithIds(): boolean {
    return (
      this.invalidLogprobs === 0 &&
      this.misalignedChunks === 0 &&
      this.invalidTokenIds === 0 &&
      this.logprobs.length === this.tokenIds.length
    )
  }

  private check(): TitoReason[] {
    const reasons: TitoReason[] = []
    const add = (code: TitoReason['code'], message: string): void => {
      reasons.push({ code, message })
    }
    const prompt = this.promptTokenIds
    const ids = this.tokenIds
    if (this.promptInvalid) add('prompt_ids_invalid', 'prompt_token_ids is not a list of non-negative integers')
    else if (this.promptSeen === 0) add('prompt_ids_missing', 'no chunk carried prompt_token_ids')
    if (this.promptSeen > 1)
      add('prompt_ids_repeated', `prompt_token_ids arrived ${this.promptSeen} times (expected once)`)
    if (this.invalidTokenIds > 0) {
      add('token_ids_invalid', `${this.invalidTokenIds} token_ids entries were not non-negative integers (dropped)`)
    }
    if (this.otherChoices > 0) {
      add(
        'choice_index_unexpected',
        `${this.otherChoices} choice(s) with index ${JSON.stringify(this.otherIndex)} arrived although one ` +
          'sequence was requested; ' +
          'only index 0 was captured'
      )
    }
    const usage = this.usage
    if (!usage) {
      add(
        'usage_missing',
        this.usageInvalid
          ? 'usage had no valid prompt_tokens/completion_tokens counts, so ids cannot be checked against them'
          : 'no usage arrived, so ids cannot be checked against the server counts'
      )
    } else {
      if (ids.length === 0 && usage.completionTokens > 0) {
        add('token_ids_missing', `usage reports ${usage.completionTokens} completion tokens but no token_ids arrived`)
      } else if (ids.length !== usage.completionTokens) {
        add(
          'completion_count_mismatch',
          `${ids.length} token ids received, usage.completion_tokens is ${usage.completionTokens}`
        )
      }
      if (prompt !== undefined && prompt.length !== usage.promptTokens) {
        add(
          'prompt_count_mismatch',
          `${prompt.length} prompt ids received, usage.prompt_tokens is ${usage.promptTokens}`
        )
      }
    }
    if (this.options.logprobs) {
      if (this.invalidLogprobs > 0) {
        add('logprobs_invalid', `${this.invalidLogprobs} logprob entries were not finite numbers with a token`)
      }
      if (this.logprobEntries + this.invalidLogprobs !== this.idEntries) {
        add('logprobs_count_mismatch', `${this.logprobEntries} logprobs for ${this.idEntries} token ids`)
      } else if (this.misalignedChunks > 0) {
        add(
          'logprobs_misaligned',
          `${this.misalignedChunks} chunk(s) carried a different number of logprobs than ids; ` +
            'the totals agree but the pairing is shifted, so logprobs were dropped'
        )
      }
    }
    this.checkFinish(add)
    this.checkEnd(add)
    return reasons
  }

  private checkFinish(add: (code: TitoReason['code'], message: string) => void): void {
    const finish: unknown = this.finishReason
    if (finish === null) return
    if (finish === 'abort') {
      add('finish_abort', "finish_reason 'abort': the server cut the generation; the sequence did not end")
    } else if (typeof finish !== 'string' || !KNOWN_FINISH_REASONS.has(finish)) {
      const shown = typeof finish === 'string' ? `'${finish}'` : JSON.stringify(finish)
      add('finish_unknown', `finish_reason ${shown} is not one this package knows; the end cannot be vouched for`)
    }
  }

  private checkEnd(add: (code: TitoReason['code'], message: string) => void): void {
    const last = this.tokenIds[this.tokenIds.length - 1]
    if (last === undefined) return
    const { finishReason, stopReason } = this
    if (typeof stopReason === 'number' && last !== stopReason) {
      add('eos_inconsistent', `stop_reason is token ${stopReason} but the last id is ${last}`)
    }
    const eos = this.options.eosTokenIds
    // Only an EOS stop ends on an EOS id; `repetition` (vLLM's repetition detection) never does.
    if (finishReason === 'stop' && stopReason === null && eos && !eos.includes(last)) {
      add('eos_inconsistent', `finish_reason 'stop' on EOS but the last id ${last} is not an EOS id`)
    }
    // vLLM uses `max_completion_tokens or max_tokens`.
    const maxTokens = this.options.sampling.max_completion_tokens ?? this.options.sampling.max_tokens
    if (finishReason === 'length' && typeof maxTokens === 'number' && this.tokenIds.length > maxTokens) {
      add(
        'eos_inconsistent',
        `finish_reason 'length' with ${this.tokenIds.length} ids, more than max_tokens ${maxTokens}`
      )
    }
  }
}

/** The top alternatives of one chat logprob entry; malformed entries count as none (the id count check still runs). */
function readChatTopLogprobs(entry: unknown): TopLogprob[] {
  const top =
    typeof entry === 'object' && entry !== null ? (entry as { top_logprobs?: unknown }).top_logprobs : undefined
  if (!Array.isArray(top)) return []
  const out: TopLogprob[] = []
  for (const t of top) {
    if (typeof t !== 'object' || t === null) continue
    const { token, logprob } = t as { token?: unknown; logprob?: unknown }
    if (typeof token === 'string' && typeof logprob === 'number') out.push({ token, logprob })
  }
  return out
}

/** Completions send one `{token: logprob}` map per position. */
function readCompletionTopLogprobs(entry: unknown): TopLogprob[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return []
  const out: TopLogprob[] = []
  for (const [token, logprob] of Object.entries(entry)) {
    if (typeof logprob === 'number') out.push({ token, logprob })
  }
  return out
}
