import { isNonNegativeInteger } from '@strands-vllm/model/internal'

/** The largest id a `TokenManager` can hold: its ids live in an `Int32Array`. */
export const MAX_TOKEN_ID = 0x7fffffff

/** An id a `TokenManager` (and so the JSONL reader) accepts: a non-negative integer up to `MAX_TOKEN_ID`. */
export function isTokenId(value: unknown): value is number {
  return isNonNegativeInteger(value) && value <= MAX_TOKEN_ID
}
