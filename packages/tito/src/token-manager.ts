import { TokenManagerError } from './errors.js'
import { isTokenId } from './token-id.js'

/** What a segment holds: prompt/context tokens (mask 0) or sampled tokens (mask 1). */
export type SegmentKind = 'prompt' | 'response'

/** One contiguous run of tokens added by a single `addPrompt` / `addResponse` call. */
export interface TokenSegment {
  kind: SegmentKind
  /** Offset of the first token in the flat sequence. */
  start: number
  length: number
  /** The model call the tokens came from, when known (set by the trajectory builder). */
  callIndex?: number
}

export interface TokenManagerOptions {
  /**
   * Strict (default): a logprob count that differs from the id count, a response before any prompt, or a
   * prompt that repeats the whole sequence already held (the duplicated-history recipe) throws
   * `TokenManagerError`. Lenient: extra logprobs are ignored, missing ones are stored as unknown.
   */
  strict?: boolean
  /** Initial capacity in tokens (the buffers grow by doubling). */
  initialCapacity?: number
}

/** What `JSON.stringify(manager)` gives: plain arrays (typed arrays would serialize as `{"0": …}` objects). */
export interface TokenManagerJSON {
  tokenIds: number[]
  /** 1 = sampled by the policy (trainable), 0 = context. */
  lossMask: number[]
  /** Per token, null where unknown. */
  logprobs: Array<number | null>
  segments: TokenSegment[]
}

export interface AddOptions {
  /** Recorded on the segment, so every token's origin stays known. */
  callIndex?: number
}

export interface AddPromptOptions extends AddOptions {
  /** Add only `tokenIds[from:]`, without copying (after your own prefix check). Default 0. */
  from?: number
}

/**
 * A flat token sequence with a loss mask and per-token logprobs, stored in typed arrays
 * (`Int32Array` ids, `Uint8Array` mask, `Float64Array` logprobs with NaN for "unknown"):
 * 13 bytes per token, no per-token objects. Same surface as the Python package's
 * `TokenManager`, in camelCase, but strict by default.
 */
export class TokenManager {
  private ids: Int32Array
  private mask: Uint8Array
  private lps: Float64Array
  private size = 0
  private readonly segs: TokenSegment[] = []
  private readonly strict: boolean

  constructor(options: TokenManagerOptions = {}) {
    this.strict = options.strict ?? true
    const capacity = Math.max(16, options.initialCapacity ?? 256)
    this.ids = new Int32Array(capacity)
    this.mask = new Uint8Array(capacity)
    this.lps = new Float64Array(capacity)
  }

  /** Add context tokens (loss mask 0). Logprobs, if given, are kept (e.g. prompt logprobs). */
  addPrompt(tokenIds: ArrayLike<number>, logprobs?: ArrayLike<number | null> | null, options?: AddPromptOptions): void {
    const from = options?.from ?? 0
    if (from > 0 && logprobs) throw new TokenManagerError('addPrompt with `from` takes no logprobs')
    if (this.strict && from === 0 && this.size > 0 && tokenIds.length >= this.size && this.startsWithHeld(tokenIds)) {
      throw new TokenManagerError(
        `addPrompt got ${tokenIds.length} ids that repeat all ${this.size} ids already held: this is a full ` +
          `re-templated prompt, and adding it would duplicate the history. Use extendToPrompt(ids) to add only ` +
          `the new suffix, or build trajectories with buildTrajectories(recorder.history).`
      )
    }
    this.add('prompt', tokenIds, logprobs, options, from)
  }

  /** Add sampled tokens (loss mask 1) with their rollout logprobs. */
  addResponse(tokenIds: ArrayLike<number>, logprobs?: ArrayLike<number | null> | null, options?: AddOptions): void {
    if (this.strict && this.segs.length === 0 && tokenIds.length > 0) {
      throw new TokenManagerError('addResponse before any addPrompt: the first segment must be a prompt')
    }
    this.add('response', tokenIds, logprobs, options)
  }

  /**
   * Given the full prompt the server rendered for the next call, add only the part after
   * what is already held, as a prompt segment. Throws if the prompt does not start with the held
   * tokens: that is a divergence, which `buildTrajectories` classifies and splits on.
   * Returns the number of tokens added.
   */
  extendToPrompt(fullPromptIds: ArrayLike<number>, options?: AddOptions): number {
    const at = this.firstMismatch(fullPromptIds)
    if (at !== -1) {
      throw new TokenManagerError(
        `the prompt (${fullPromptIds.length} ids) does not extend the ${this.size} ids held: first difference at index ${at}`
      )
    }
    const added = fullPromptIds.length - this.size
    this.add('prompt', fullPromptIds, null, options, this.size)
    return added
  }

  /**
   * Index of the first position where `ids` differs from the held sequence, or -1 when `ids`
   * starts with everything held.
   */
  firstMismatch(ids: ArrayLike<number>): number {
    const n = Math.min(ids.length, this.size)
    const held = this.ids
    for (let i = 0; i < n; i++) if (held[i] !== ids[i]) return i
    return ids.length < this.size ? ids.length : -1
  }

  /** Drop everything from `length` on (segments are cut to fit). Used by the `trust-server` policy. */
  truncate(length: number): void {
    if (length >= this.size) return
    this.size = Math.max(0, length)
    while (this.segs.length > 0) {
      const last = this.segs[this.segs.length - 1]!
      if (last.start >= this.size) this.segs.pop()
      else {
        last.length = Math.min(last.length, this.size - last.start)
        break
      }
    }
  }

  /** Shrink the buffers to the current length (the builder does this when a trajectory is complete). */
  trim(): void {
    if (this.ids.length === this.size) return
    this.ids = this.ids.slice(0, this.size)
    this.mask = this.mask.slice(0, this.size)
    this.lps = this.lps.slice(0, this.size)
  }

  /** Clear everything (capacity is kept). */
  reset(): void {
    this.size = 0
    this.segs.length = 0
  }

  get length(): number {
    return this.size
  }

  /** A copy of the ids. */
  get tokenIds(): Int32Array {
    return this.ids.slice(0, this.size)
  }

  /** A copy of the loss mask: 1 = sampled by the policy (trainable), 0 = context. */
  get lossMask(): Uint8Array {
    return this.mask.slice(0, this.size)
  }

  /** Per-token logprobs, `null` where unknown (always for prompt tokens unless given). */
  get logprobs(): Array<number | null> {
    const out = new Array<number | null>(this.size)
    for (let i = 0; i < this.size; i++) {
      const v = this.lps[i]!
      out[i] = Number.isNaN(v) ? null : v
    }
    return out
  }

  /** A copy of the logprobs as a typed array, NaN where unknown. */
  get logprobArray(): Float64Array {
    return this.lps.slice(0, this.size)
  }

  /** True when every sampled (mask 1) token has a logprob. */
  get hasResponseLogprobs(): boolean {
    for (let i = 0; i < this.size; i++) if (this.mask[i] === 1 && Number.isNaN(this.lps[i]!)) return false
    return true
  }

  /** Number of sampled (mask 1) tokens. */
  get outputLength(): number {
    let n = 0
    for (const s of this.segs) if (s.kind === 'response') n += s.length
    return n
  }

  get segments(): readonly TokenSegment[] {
    return this.segs.map((s) => ({ ...s }))
  }

  /** `[isOutput, length]` per segment, like the Python `segment_info`. */
  get segmentInfo(): Array<[isOutput: boolean, length: number]> {
    return this.segs.map((s) => [s.kind === 'response', s.length])
  }

  /** Bytes held by the typed buffers (capacity, not length). */
  get byteSize(): number {
    return this.ids.byteLength + this.mask.byteLength + this.lps.byteLength
  }

  /** Plain arrays for `JSON.stringify`: ids, mask (0/1), logprobs (null where unknown), segments. */
  toJSON(): TokenManagerJSON {
    return {
      tokenIds: Array.from(this.ids.subarray(0, this.size)),
      lossMask: Array.from(this.mask.subarray(0, this.size)),
      logprobs: this.logprobs,
      segments: this.segments as TokenSegment[],
    }
  }

  toString(): string {
    return `TokenManager(segments=${this.segs.length}, tokens=${this.size}, output_tokens=${this.outputLength})`
  }

  /** Append `tokenIds[from:]` (no copy of the source). */
  private add(
    kind: SegmentKind,
    tokenIds: ArrayLike<number>,
    logprobs: ArrayLike<number | null> | null | undefined,
    options: AddOptions | undefined,
    from = 0
  ): void {
    const n = tokenIds.length - from
    if (n <= 0) return
    if (logprobs && this.strict && logprobs.length !== n) {
      throw new TokenManagerError(`got ${logprobs.length} logprobs for ${n} token ids (strict mode needs one per id)`)
    }
    this.reserve(this.size + n)
    const start = this.size
    const ids = this.ids
    for (let i = 0; i < n; i++) {
      const id = tokenIds[from + i]!
      if (!isTokenId(id)) {
        throw new TokenManagerError(
          `token id at position ${from + i} is not a non-negative 32-bit integer: ${String(id)}`
        )
      }
      ids[start + i] = id
    }
    this.mask.fill(kind === 'response' ? 1 : 0, start, start + n)
    if (logprobs) {
      for (let i = 0; i < n; i++) {
        const v = i < logprobs.length ? logprobs[i] : null
        // Anything but a finite number (null, NaN, ±Infinity from a bad wire) is "unknown", never a value.
        this.lps[start + i] = typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN
      }
    } else this.lps.fill(Number.NaN, start, start + n)
    this.size += n
    const segment: TokenSegment = { kind, start, length: n }
    if (options?.callIndex !== undefined) segment.callIndex = options.callIndex
    this.segs.push(segment)
  }

  private startsWithHeld(ids: ArrayLike<number>): boolean {
    for (let i = 0; i < this.size; i++) if (this.ids[i] !== ids[i]) return false
    return true
  }

  private reserve(capacity: number): void {
    if (capacity <= this.ids.length) return
    let next = Math.max(16, this.ids.length * 2)
    while (next < capacity) next *= 2
    const ids = new Int32Array(next)
    ids.set(this.ids.subarray(0, this.size))
    const mask = new Uint8Array(next)
    mask.set(this.mask.subarray(0, this.size))
    const lps = new Float64Array(next)
    lps.set(this.lps.subarray(0, this.size))
    this.ids = ids
    this.mask = mask
    this.lps = lps
  }
}
