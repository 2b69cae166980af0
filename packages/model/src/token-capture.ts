import type { TitoReason, TitoStatus, TitoUsage, TopLogprob, VLLMResponseFields } from './tito-fields.js'
import type { WireChoice, WireUsage } from './wire.js'

export interface CaptureOptions {
  logprobs: boolean
  topLogprobs: boolean
  sampling: Record<string, unknown>
  eosTokenIds: readonly number[] | undefined
  startMs: number
}

function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/**
 * Collects one call's ids and logprobs straight off the wire and checks them against
 * `usage` when the call ends. Ids are validated, never coerced: a boolean, float or
 * string makes the call `incomplete`. One instance per call (the model holds none).
 */
export class TokenCapture {
  readonly tokenIds: number[] = []
  readonly logprobs: number[] = []
  readonly topLogprobs: TopLogprob[][] = []
  promptTokenIds: number[] | undefined
  finishReason: string | null = null
  stopReason: number | string | null = null
  usage: TitoUsage | null = null
  private usageInvalid = false
  responseId: string | null = null
  model: string | null = null
  firstByteMs: number | null = null
  private promptSeen = 0
  private promptInvalid = false
  private invalidTokenIds = 0
  private invalidLogprobs = 0
  private readonly options: CaptureOptions

  constructor(options: CaptureOptions) {
    this.options = options
  }

  addPromptTokenIds(value: unknown): void {
    this.promptSeen++
    if (this.promptSeen > 1) return
    if (Array.isArray(value) && value.every(isTokenId)) this.promptTokenIds = value
    else this.promptInvalid = true
  }

  /** Hot path: called once per chunk. */
  addChoice(choice: WireChoice): void {
    const ids = choice.token_ids
    if (ids !== undefined && ids !== null) {
      if (Array.isArray(ids)) {
        const out = this.tokenIds
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i]
          if (isTokenId(id)) out.push(id)
          else this.invalidTokenIds++
        }
      } else this.invalidTokenIds++
    }
    if (!this.options.logprobs) return
    const entries: unknown = choice.logprobs?.content
    if (entries === undefined || entries === null) return
    if (!Array.isArray(entries)) {
      this.invalidLogprobs++
      return
    }
    for (let i = 0; i < entries.length; i++) {
      const entry: unknown = entries[i]
      const lp = typeof entry === 'object' && entry !== null ? (entry as { logprob?: unknown }).logprob : undefined
      if (typeof lp === 'number' && !Number.isNaN(lp)) this.logprobs.push(lp)
      else this.invalidLogprobs++
      if (this.options.topLogprobs) this.topLogprobs.push(readTopLogprobs(entry))
    }
  }

  setUsage(usage: WireUsage): void {
    const prompt = usage.prompt_tokens
    const completion = usage.completion_tokens
    if (!isCount(prompt) || !isCount(completion)) {
      // A usage object we cannot trust is as good as none: the counts cannot vouch for the ids.
      this.usageInvalid = true
      this.usage = null
      return
    }
    this.usageInvalid = false
    this.usage = {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: isCount(usage.total_tokens) ? usage.total_tokens : prompt + completion,
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
    const fields: VLLMResponseFields = {
      tito: {
        status,
        reasons,
        finishReason: this.finishReason,
        stopReason: this.stopReason,
        usage: this.usage,
        responseId: this.responseId,
        model: this.model,
        sampling: this.options.sampling,
        timing: { startMs: this.options.startMs, firstByteMs: this.firstByteMs, endMs: Date.now() },
      },
    }
    if (this.promptTokenIds !== undefined) fields.promptTokenIds = this.promptTokenIds
    fields.tokenIds = this.tokenIds
    if (this.options.logprobs) fields.logprobs = this.logprobs
    if (this.options.topLogprobs) fields.topLogprobs = this.topLogprobs
    return fields
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
    const usage = this.usage
    if (!usage) {
      add(
        'usage_missing',
        this.usageInvalid
          ? 'usage had no valid prompt_tokens/completion_tokens counts, so ids cannot be checked against them'
          : 'no usage chunk arrived, so ids cannot be checked against the server counts'
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
      if (this.invalidLogprobs > 0) add('logprobs_invalid', `${this.invalidLogprobs} logprob entries were not numbers`)
      if (this.logprobs.length + this.invalidLogprobs !== ids.length + this.invalidTokenIds) {
        add('logprobs_count_mismatch', `${this.logprobs.length} logprobs for ${ids.length} token ids`)
      }
    }
    this.checkEnd(add)
    return reasons
  }

  private checkEnd(add: (code: TitoReason['code'], message: string) => void): void {
    const last = this.tokenIds[this.tokenIds.length - 1]
    if (last === undefined) return
    const { finishReason, stopReason } = this
    if (typeof stopReason === 'number' && last !== stopReason) {
      add('eos_inconsistent', `stop_reason is token ${stopReason} but the last id is ${last}`)
    }
    const eos = this.options.eosTokenIds
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

/** A token count as vLLM sends it: a non-negative integer. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/** The top alternatives of one logprob entry; malformed entries count as none (the id count check still runs). */
function readTopLogprobs(entry: unknown): TopLogprob[] {
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
