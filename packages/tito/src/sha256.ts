import { createHash } from 'node:crypto'

/**
 * SHA-256 (hex) of an id array, over its ids as little-endian 32-bit unsigned integers — in Python:
 * `hashlib.sha256(np.asarray(ids, dtype='<u4').tobytes()).hexdigest()`.
 */
export function sha256TokenIds(ids: ArrayLike<number>): string {
  const bytes = new Uint8Array(ids.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < ids.length; i++) view.setUint32(i * 4, ids[i]!, true)
  return createHash('sha256').update(bytes).digest('hex')
}
