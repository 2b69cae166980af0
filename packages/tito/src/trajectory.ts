import type { TokenManager } from './token-manager.js'

/**
 * One prefix-consistent token sequence: the first call's full prompt, then for each later call
 * only the new prompt suffix (mask 0) and its sampled ids (mask 1, with logprobs).
 */
export class Trajectory {
  constructor(
    /** 0-based position in `BuildResult.trajectories`. */
    readonly index: number,
    /** The calls whose responses this trajectory holds, in order. */
    readonly callIndices: number[],
    /** The underlying sequence (segments carry the call index of every token run). */
    readonly tokens: TokenManager
  ) {}

  get tokenIds(): Int32Array {
    return this.tokens.tokenIds
  }

  get lossMask(): Uint8Array {
    return this.tokens.lossMask
  }

  /** Per token, null where unknown (prompt tokens, or calls recorded without logprobs). */
  get logprobs(): Array<number | null> {
    return this.tokens.logprobs
  }

  get segments(): TokenManager['segments'] {
    return this.tokens.segments
  }

  get length(): number {
    return this.tokens.length
  }

  /** Length of the first call's prompt: everything before the first sampled token. */
  get promptLength(): number {
    const first = this.tokens.segments.find((s) => s.kind === 'response')
    return first ? first.start : this.tokens.length
  }
}
