import { type AnalysisTokenizer, decodeIds, encodeText, isSpecialId, tokenPieces } from './analysis-tokenizer.js'
import { diffIds } from './diff-ids.js'

/** One side of a round trip: ids, their pieces and the decoded text. */
export interface TokenSide {
  ids: number[]
  /** Vocabulary pieces, aligned with `ids` (empty when the analysis ran with `pieces: false`). */
  pieces: string[]
  text: string
}

/** The outcome of `encode(decode(ids))` for one id sequence. */
export interface RoundTrip {
  /** True when the re-encoded ids differ from the original ones. */
  drifted: boolean
  /** First index at which the two id sequences differ; null when they are equal. */
  firstDivergence: number | null
  original: TokenSide
  reencoded: TokenSide
  /** Decoded text around the drift (a few tokens either side of the changed span), per side. */
  window: { original: string; reencoded: string }
  counts: { original: number; reencoded: number }
  /** Positions that changed, found by an id-level diff (so separate drift sites stay separate). */
  driftedIndices: { original: number[]; reencoded: number[] }
  /** `decode(reencoded) === decode(original)`. False for normalisation (NFC) changes. */
  textStable: boolean
  /** Special ids that re-encoding created from plain text (e.g. `<|im_end|>` spelled out by the model). */
  createdSpecialIds: number[]
  /** The decoded text holds U+FFFD: bytes of a cut character may be unrecoverable from text. */
  replacementChar: boolean
}

/** `RoundTrip` on the ids as given, and again with special ids removed. */
export interface DriftResult extends RoundTrip {
  /** The same analysis after removing special ids (what a trainer that skips specials would see). */
  withoutSpecial: RoundTrip
  /** How many special ids were removed for `withoutSpecial`. */
  specialIdsRemoved: number
}

export interface DriftOptions {
  /** Tokens of context either side of the changed span in `window`. Default 4. */
  windowTokens?: number
  /** Look up each token's piece (for display). Default true; counting-only scans turn it off. */
  pieces?: boolean
}

/**
 * Decode `ids`, re-encode the text (special-token strings recognised, as vLLM does) and say whether
 * the ids survive. This is what a trainer does when it stores text instead of the sampled ids.
 */
export async function retokenizationDrift(
  ids: readonly number[],
  tokenizer: AnalysisTokenizer,
  options: DriftOptions = {}
): Promise<DriftResult> {
  const full = await roundTrip(ids, tokenizer, options)
  const plain = ids.filter((id) => !isSpecialId(tokenizer, id))
  const withoutSpecial = plain.length === ids.length ? full : await roundTrip(plain, tokenizer, options)
  return { ...full, withoutSpecial, specialIdsRemoved: ids.length - plain.length }
}

async function roundTrip(
  input: readonly number[],
  tokenizer: AnalysisTokenizer,
  options: DriftOptions
): Promise<RoundTrip> {
  const ids = [...input]
  const text = await decodeIds(tokenizer, ids)
  const reencodedIds = await encodeText(tokenizer, text)
  const sameIds = equalIds(ids, reencodedIds)
  const reencodedText = sameIds ? text : await decodeIds(tokenizer, reencodedIds)
  const wantPieces = options.pieces ?? true
  const [pieces, reencodedPieces] = await Promise.all([
    wantPieces ? tokenPieces(tokenizer, ids) : [],
    sameIds || !wantPieces ? null : tokenPieces(tokenizer, reencodedIds),
  ])
  const original: TokenSide = { ids, pieces, text }
  const reencoded: TokenSide = { ids: reencodedIds, pieces: reencodedPieces ?? pieces, text: reencodedText }
  const replacementChar = text.includes('\uFFFD')
  if (sameIds) {
    return {
      drifted: false,
      firstDivergence: null,
      original,
      reencoded,
      window: { original: '', reencoded: '' },
      counts: { original: ids.length, reencoded: ids.length },
      driftedIndices: { original: [], reencoded: [] },
      textStable: true,
      createdSpecialIds: [],
      replacementChar,
    }
  }
  const diff = diffIds(ids, reencodedIds)
  let first = 0
  while (first < ids.length && first < reencodedIds.length && ids[first] === reencodedIds[first]) first++
  const span = windowTokens(options)
  const originalSpecials = new Set(ids.filter((id) => isSpecialId(tokenizer, id)))
  const createdSpecialIds = reencodedIds.filter((id) => isSpecialId(tokenizer, id) && !originalSpecials.has(id))
  const [windowOriginal, windowReencoded] = await Promise.all([
    decodeWindow(tokenizer, ids, diff.a, first, span),
    decodeWindow(tokenizer, reencodedIds, diff.b, first, span),
  ])
  return {
    drifted: true,
    firstDivergence: first,
    original,
    reencoded,
    window: { original: windowOriginal, reencoded: windowReencoded },
    counts: { original: ids.length, reencoded: reencodedIds.length },
    driftedIndices: { original: diff.a, reencoded: diff.b },
    textStable: reencodedText === text,
    createdSpecialIds,
    replacementChar,
  }
}

function windowTokens(options: DriftOptions): number {
  return Math.max(0, options.windowTokens ?? 4)
}

/** Decode from `span` tokens before the first change to `span` tokens after the first changed region. */
async function decodeWindow(
  tokenizer: AnalysisTokenizer,
  ids: readonly number[],
  changed: readonly number[],
  first: number,
  span: number
): Promise<string> {
  const from = Math.max(0, first - span)
  const lastChanged = firstRunEnd(changed, first)
  const to = Math.min(ids.length, lastChanged + 1 + span)
  return decodeIds(tokenizer, ids.slice(from, to))
}

/** The last index of the contiguous run of changed positions starting at or after `first`. */
function firstRunEnd(changed: readonly number[], first: number): number {
  let i = changed.findIndex((c) => c >= first)
  if (i < 0) return first - 1
  let end = changed[i] as number
  while (i + 1 < changed.length && changed[i + 1] === end + 1) end = changed[++i] as number
  return end
}

export function equalIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
