import type { HfChatTokenizer } from '@strands-vllm/tokenizer'
import { MockVLLMError } from './errors.js'
import type { FaultSet } from './faults.js'
import { textPieces } from './token-text.js'
import { toolCallText } from './tool-call-text.js'
import type { PolicyOutput, ToolCallFormat } from './types.js'

/**
 * The assistant text exactly as Qwen3 emits it: `<think>\n…\n</think>\n\n` when thinking, the content, then each
 * tool call (hermes JSON or Qwen3-Coder XML), separated the way the template renders them.
 */
export function renderAssistantText(output: PolicyOutput, thinking: boolean, format: ToolCallFormat): string {
  let text = ''
  if (thinking && output.reasoning !== undefined) text += `<think>\n${output.reasoning}\n</think>\n\n`
  const content = output.content ?? ''
  text += content
  output.toolCalls?.forEach((call, i) => {
    if (i > 0 || content) text += '\n'
    text += toolCallText(call, output.toolFormat ?? format)
  })
  return text
}

/**
 * Tokenize generated text, emitting the given vocabulary pieces for chosen words instead of their canonical
 * tokenization (e.g. `HAVING` → `H` + `AVING`), so retokenizing the text later gives different ids.
 */
function encodeGenerated(
  tokenizer: HfChatTokenizer,
  text: string,
  nonCanonical: Record<string, string[]> | undefined
): number[] {
  const words = Object.keys(nonCanonical ?? {})
    .filter((w) => w.length > 0)
    .sort((a, b) => b.length - a.length)
  if (!nonCanonical || words.length === 0) return tokenizer.encode(text)
  const pieceIds = new Map<string, number[]>()
  for (const word of words) {
    pieceIds.set(
      word,
      (nonCanonical[word] ?? []).map((piece) => {
        const id = tokenizer.tokenToId(piece)
        if (id === undefined)
          throw new MockVLLMError(`nonCanonical piece ${JSON.stringify(piece)} is not in the vocabulary`)
        return id
      })
    )
    const ids = pieceIds.get(word) ?? []
    if (tokenizer.decode(ids) !== word) {
      throw new MockVLLMError(
        `nonCanonical pieces for ${JSON.stringify(word)} decode to ${JSON.stringify(tokenizer.decode(ids))}`
      )
    }
  }
  const ids: number[] = []
  let rest = 0
  let i = 0
  while (i < text.length) {
    const word = words.find((w) => text.startsWith(w, i))
    if (word === undefined) {
      i++
      continue
    }
    if (i > rest) ids.push(...tokenizer.encode(text.slice(rest, i)))
    ids.push(...(pieceIds.get(word) ?? []))
    i += word.length
    rest = i
  }
  if (rest < text.length) ids.push(...tokenizer.encode(text.slice(rest)))
  return ids
}

/** One generated sequence, before any view of it is sent. */
export interface Generation {
  /** Every generated id, EOS included unless cut by `max_tokens`. */
  ids: number[]
  /** The text each id adds (special tokens skipped unless asked), so streamed deltas line up with ids. */
  pieces: string[]
  finishReason: 'stop' | 'length' | 'abort' | 'repetition'
  /** `null` for EOS; the id for a `stop_token_ids` hit; the string for a `stop` string hit. */
  stopReason: number | string | null
}

/**
 * Policy output → generated ids, as a sampler would produce them: tokenize the assistant text, append
 * `<|im_end|>`, stop at the first `stop_token_ids` hit or `stop` string, cut at `maxTokens`
 * (`finish_reason: "length"`). The id that stopped generation (EOS, a stop id) adds no text unless
 * `include_stop_str_in_output`, as in vLLM's detokenizer.
 */
export function generateIds(
  tokenizer: HfChatTokenizer,
  text: string,
  output: PolicyOutput,
  limits: {
    maxTokens: number
    stopTokenIds?: readonly number[] | undefined
    stop?: readonly string[] | undefined
    includeStopStrInOutput?: boolean | undefined
    skipSpecialTokens: boolean
    eosId: number
  }
): Generation {
  let ids = [...encodeGenerated(tokenizer, text, output.nonCanonical), limits.eosId]
  let stopReason: number | string | null = null
  const stopSet = new Set(limits.stopTokenIds ?? [])
  if (stopSet.size > 0) {
    const at = ids.findIndex((id) => stopSet.has(id))
    if (at >= 0 && at < ids.length - 1) {
      stopReason = ids[at] ?? null
      ids = ids.slice(0, at + 1)
    }
  }
  // The last id here is the one that stopped generation (EOS or a stop id): its text is not rendered.
  let pieces = limits.includeStopStrInOutput
    ? textPieces(tokenizer, ids, limits.skipSpecialTokens)
    : [...textPieces(tokenizer, ids.slice(0, -1), limits.skipSpecialTokens), '']
  const hit = stopStringHit(pieces, limits.stop ?? [])
  if (hit && stopReason === null) {
    // vLLM checks stop strings on the detokenized text: generation ends with the id that completes the
    // string (its ids stay in token_ids), and the text ends before it unless include_stop_str_in_output.
    ids = ids.slice(0, hit.lastId + 1)
    pieces = cutPieces(pieces.slice(0, hit.lastId + 1), limits.includeStopStrInOutput ? hit.end : hit.start)
    stopReason = hit.stop
  }
  let finishReason: Generation['finishReason'] = 'stop'
  if (ids.length > limits.maxTokens) {
    ids = ids.slice(0, Math.max(0, limits.maxTokens))
    pieces = pieces.slice(0, ids.length)
    finishReason = 'length'
    stopReason = null
  }
  return { ids, pieces, finishReason, stopReason }
}

/**
 * `finish:abort` (a server-side abort, e.g. an RL trainer pausing for a weight sync: cut after half the ids) and
 * `finish:repetition` (vLLM's repetition detection: no EOS at the end).
 */
export function applyFinishFault(gen: Generation, faults: FaultSet, eosId: number): Generation {
  const fault = faults.get('finish')
  if (!fault) return gen
  if (fault.reason === 'abort') {
    const keep = Math.floor(gen.ids.length / 2)
    return { ids: gen.ids.slice(0, keep), pieces: gen.pieces.slice(0, keep), finishReason: 'abort', stopReason: null }
  }
  const ends = gen.ids.at(-1) === eosId
  return {
    ids: ends ? gen.ids.slice(0, -1) : gen.ids,
    pieces: ends ? gen.pieces.slice(0, -1) : gen.pieces,
    finishReason: 'repetition',
    stopReason: null,
  }
}

/** The earliest stop string in the generated text: where it starts and ends, and the id that completes it. */
function stopStringHit(
  pieces: readonly string[],
  stops: readonly string[]
): { stop: string; start: number; end: number; lastId: number } | undefined {
  const text = pieces.join('')
  let best: { stop: string; start: number; end: number } | undefined
  for (const stop of stops) {
    if (typeof stop !== 'string' || stop.length === 0) continue
    const start = text.indexOf(stop)
    if (start >= 0 && (!best || start + stop.length < best.end)) best = { stop, start, end: start + stop.length }
  }
  if (!best) return undefined
  let length = 0
  for (let i = 0; i < pieces.length; i++) {
    length += pieces[i]!.length
    if (length >= best.end) return { ...best, lastId: i }
  }
  return undefined
}

/** Keep the first `chars` characters of the text the pieces spell; later pieces become empty. */
function cutPieces(pieces: string[], chars: number): string[] {
  let left = chars
  return pieces.map((piece) => {
    const kept = piece.slice(0, Math.max(0, left))
    left -= piece.length
    return kept
  })
}
