/** A 32-bit integer mix (murmur3 finalizer): deterministic, fast, well spread. */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35) ^ Math.imul(c, 0x165667b1)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const unit = (h: number): number => h / 0x100000000

/** vLLM floors logprobs at -9999 (standing in for -inf). */
const FLOOR = -9999

/** The logprob of the sampled id at `position`: deterministic in (seed, position, id), in (-10, 0]. */
export function sampledLogprob(seed: number, position: number, id: number): number {
  const u = unit(mix(seed, position, id))
  return -9.99 * u ** 4
}

/**
 * `k` alternatives for one position, best first: the sampled id plus k-1 other ids whose probabilities
 * fill part of the remaining mass (so the list never sums past 1).
 */
export function topLogprobs(
  seed: number,
  position: number,
  id: number,
  k: number,
  vocabSize: number
): Array<{ id: number; logprob: number }> {
  if (k <= 0) return []
  const sampled = sampledLogprob(seed, position, id)
  const rest = 1 - Math.exp(sampled)
  const out = [{ id, logprob: sampled }]
  const seen = new Set([id])
  for (let j = 1; out.length < k && j < k + 16; j++) {
    const alt = mix(seed ^ 0x5bd1e995, position, id * 31 + j) % vocabSize
    if (seen.has(alt)) continue
    seen.add(alt)
    out.push({ id: alt, logprob: Math.max(FLOOR, Math.log(rest * 0.5 ** out.length)) })
  }
  return out.sort((a, b) => b.logprob - a.logprob)
}
