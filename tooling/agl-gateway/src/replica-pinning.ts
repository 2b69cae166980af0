import { createHash } from 'node:crypto'

/**
 * Which of `endpoints` serves `rolloutId`: endpoints sorted, then the first 8 bytes of `sha256(rolloutId)` read
 * big-endian, modulo their count (`ProxyRouter.select_server`). Every call of a rollout lands on one replica, so its
 * growing prompt hits that replica's prefix cache.
 */
export function pinnedIndex(rolloutId: string, count: number): number {
  if (count <= 0) throw new RangeError('no endpoints to pin to')
  const digest = createHash('sha256').update(rolloutId, 'utf8').digest()
  return Number(digest.readBigUInt64BE(0) % BigInt(count))
}

export function pinEndpoint<T extends { endpoint: string }>(rolloutId: string, servers: Iterable<T>): T | undefined {
  const pool = [...servers].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0))
  if (pool.length === 0) return undefined
  return pool[pinnedIndex(rolloutId, pool.length)]
}
