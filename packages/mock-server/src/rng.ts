import { createHash } from 'node:crypto'

/** mulberry32: a tiny seeded generator, so a policy's choices repeat exactly for the same request and seed. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit seed from the server seed and the request content. */
export function contentSeed(seed: number, ...parts: unknown[]): number {
  const hash = createHash('sha256').update(String(seed))
  for (const part of parts) hash.update('\u0000').update(JSON.stringify(part) ?? '')
  return hash.digest().readUInt32LE(0)
}
