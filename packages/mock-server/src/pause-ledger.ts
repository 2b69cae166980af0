/**
 * Counts paused answers per (fault spec, path), so `pause:<seconds>:<times>` answers 429 to the first `times`
 * requests that carry it and then serves normally, like an Agent Lightning gateway that resumes after a sync.
 */
export class PauseLedger {
  private readonly answered = new Map<string, number>()

  /** Whether this request is paused; counts it when it is. */
  take(key: string, times: number): boolean {
    const n = this.answered.get(key) ?? 0
    if (n >= times) return false
    this.answered.set(key, n + 1)
    return true
  }
}
