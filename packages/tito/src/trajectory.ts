import type { TrajectoryCall } from './call-record.js'
import type { TokenManager, TokenManagerJSON } from './token-manager.js'

/** What `JSON.stringify(trajectory)` gives: plain arrays, no typed-array `{"0": …}` objects. */
export interface TrajectoryJSON extends TokenManagerJSON {
  index: number
  rolloutId: string | null
  callIndices: number[]
  promptLength: number
}

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
    readonly tokens: TokenManager,
    /** The rollout the calls belong to (null when they carry none). */
    readonly rolloutId: string | null = null,
    /** The call records behind `callIndices` (same order): timings, finish reasons, tool uses for the exports. */
    readonly calls: TrajectoryCall[] = []
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

  /** Plain arrays for `JSON.stringify` (ids, mask as 0/1, logprobs with null, segments, call indices). */
  toJSON(): TrajectoryJSON {
    return {
      index: this.index,
      rolloutId: this.rolloutId,
      callIndices: [...this.callIndices],
      promptLength: this.promptLength,
      ...this.tokens.toJSON(),
    }
  }
}
