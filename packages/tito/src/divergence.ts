/**
 * Why call k's prompt does not extend call k−1's prompt + response. Classified from ids
 * (Qwen3 markers by default) and refined with decoded text when a decoder is given.
 */
export type DivergenceCause =
  | 'reasoning_stripped'
  | 'tool_call_reserialized'
  | 'retokenization'
  | 'separator_missing'
  | 'template_changed'
  | 'history_rewritten'
  | 'truncated_previous'
  | 'tool_name_rewritten'
  | 'unknown'

/** Every cause, in report order (counters, JSONL validation). */
export const DIVERGENCE_CAUSES: readonly DivergenceCause[] = [
  'reasoning_stripped',
  'tool_call_reserialized',
  'retokenization',
  'separator_missing',
  'template_changed',
  'history_rewritten',
  'truncated_previous',
  'tool_name_rewritten',
  'unknown',
]

/**
 * Tool names the Strands SDK sends back unchanged; any other name in the history is rewritten to
 * `INVALID_TOOL_NAME` before every model call, so the next prompt differs from what the model sampled.
 */
const SDK_TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/

/** What the SDK puts in place of a tool name that fails {@link SDK_TOOL_NAME_PATTERN}. */
const SDK_INVALID_TOOL_NAME = 'INVALID_TOOL_NAME'

/**
 * True when a generation ended on its own end-of-sequence token (`stop` with a null `stop_reason`) or as tool
 * calls. Anything else (`length`, `abort`, `repetition`, a stop string or stop token id, an unknown or missing
 * reason) left the message unclosed: the chat template closes it with an id the model never sampled.
 */
export function endedCleanly(finishReason: string | null | undefined, stopReason?: number | string | null): boolean {
  if (finishReason === 'tool_calls') return true
  return finishReason === 'stop' && (stopReason === null || stopReason === undefined)
}

/** Control-token ids the id-only classifier looks for. */
export interface SpecialTokenIds {
  thinkStart: number
  thinkEnd: number
  toolCallStart: number
  toolCallEnd: number
  /** Start / end of a chat message (`<|im_start|>` / `<|im_end|>`). */
  messageStart: number
  messageEnd: number
  /** Ids that can end a generation. */
  eos: readonly number[]
  /** The template's separator after the end-of-message token (Qwen3: `\n`, id 198). */
  separator: readonly number[]
  /**
   * The role id that follows `messageStart` in a user turn (Qwen3: `user`, id 872). Lets the builder tell a new
   * episode (the first user message differs) from history rewritten inside one conversation.
   */
  userRole?: number
  /** Role ids of system and assistant turns (Qwen3: 8948, 77091), for counting chat turns (verl's `num_turns`). */
  systemRole?: number
  assistantRole?: number
  /** The id opening one tool result inside a user turn (Qwen3: `<tool_response>`, 151665). */
  toolResponseStart?: number
}

/** Qwen3 (and Qwen2.5) ids. */
export const QWEN3_SPECIAL_IDS: SpecialTokenIds = {
  thinkStart: 151667,
  thinkEnd: 151668,
  toolCallStart: 151657,
  toolCallEnd: 151658,
  messageStart: 151644,
  messageEnd: 151645,
  eos: [151645, 151643],
  separator: [198],
  userRole: 872,
  systemRole: 8948,
  assistantRole: 77091,
  toolResponseStart: 151665,
}

/** Text around the first differing position (present when a decoder was given). */
export interface DivergenceWindow {
  /** Absolute index of the first token in `before`. */
  start: number
  /** Common text just before the divergence. */
  before: string
  /** What the earlier call's prompt + response held from the divergence on. */
  held: string
  /** What the new prompt has from the divergence on. */
  received: string
}

export interface Divergence {
  /** The call whose prompt does not extend the previous call's prompt + response. */
  callIndex: number
  /** Position of that call in the builder's input (call indices repeat across rollouts; positions do not). */
  position: number
  /** The rollout of both calls, when recorded. */
  rolloutId?: string
  previousCallIndex: number
  /** The trajectory the previous call belongs to. */
  trajectoryIndex: number
  /** First differing position (absolute, in both sequences). */
  index: number
  cause: DivergenceCause
  /** One sentence a human can act on. */
  detail: string
  /** Length of the previous prompt; `index >= previousPromptLength` means the difference is in the response. */
  previousPromptLength: number
  /** Length of previous prompt + response. */
  heldLength: number
  /** Id at `index` on each side (null when that side ended). */
  heldId: number | null
  receivedId: number | null
  window?: DivergenceWindow
}

/** What the classifier looks at. */
export interface DivergenceInput {
  /** Previous prompt + response. */
  held: ArrayLike<number>
  previousPromptLength: number
  /** The new prompt. */
  next: ArrayLike<number>
  index: number
  previousFinishReason: string | null
  /** vLLM's `stop_reason` of the previous call (a string or id: a stop string / stop token, not an EOS). */
  previousStopReason?: number | string | null
  /** Tool names the previous call produced, in order (recorded `toolUses`). */
  previousToolNames?: readonly string[]
  special: SpecialTokenIds
}

interface Classified {
  cause: DivergenceCause
  detail: string
}

const WINDOW = 12

function indexOf(ids: ArrayLike<number>, id: number, from: number, to: number): number {
  for (let i = Math.max(0, from); i < Math.min(to, ids.length); i++) if (ids[i] === id) return i
  return -1
}

function lastIndexOf(ids: ArrayLike<number>, id: number, before: number): number {
  for (let i = Math.min(before, ids.length) - 1; i >= 0; i--) if (ids[i] === id) return i
  return -1
}

/** True when `at` lies inside an `open`…`close` block (or on the separator right after `close`). */
function enclosingBlock(ids: ArrayLike<number>, at: number, open: number, close: number): boolean {
  const start = lastIndexOf(ids, open, at + 1)
  if (start === -1) return false
  const end = indexOf(ids, close, start, ids.length)
  return end === -1 || at <= end + 1
}

/** The end (exclusive) of the message containing `from`: after the next end-of-message id. */
function messageEnd(ids: ArrayLike<number>, from: number, special: SpecialTokenIds): number {
  const end = indexOf(ids, special.messageEnd, from, ids.length)
  return end === -1 ? ids.length : end + 1
}

function onlyIn(ids: ArrayLike<number>, from: number, to: number, allowed: readonly number[]): boolean {
  for (let i = from; i < to; i++) if (!allowed.includes(ids[i]!)) return false
  return true
}

/** Classify from ids alone. `unknown` here may still become `retokenization` with a decoder. */
export function classifyDivergence(input: DivergenceInput): Classified {
  const { held, next, index: j, previousPromptLength: p, special } = input
  const h = held.length
  const inResponse = j >= p

  if (!endedCleanly(input.previousFinishReason, input.previousStopReason)) {
    return {
      cause: 'truncated_previous',
      detail: cutDetail(input.previousFinishReason, input.previousStopReason, inResponse),
    }
  }
  const tail = [...special.eos, ...special.separator, special.messageEnd]
  if (j >= h - 2 && onlyIn(held, j, h, tail) && onlyIn(next, j, Math.min(next.length, j + 2), tail)) {
    return {
      cause: 'separator_missing',
      detail: 'only the end-of-message token / post-EOS separator differs (bridgeable)',
    }
  }
  // The last turn: the previous prompt's final message header (`<|im_start|>assistant\n…`) and the response.
  const turnStart = lastIndexOf(held, special.messageStart, p)
  if (turnStart !== -1 && j >= turnStart) {
    const heldThink = indexOf(held, special.thinkStart, Math.max(j, turnStart), h)
    const nextEnd = messageEnd(next, turnStart, special)
    if (heldThink !== -1 && indexOf(next, special.thinkEnd, turnStart, nextEnd) === -1) {
      return {
        cause: 'reasoning_stripped',
        detail:
          heldThink >= p
            ? 'the template dropped the <think> block the model generated'
            : 'the template dropped the (empty) <think> block of the previous generation prompt',
      }
    }
  }
  if (enclosingBlock(held, j, special.thinkStart, special.thinkEnd)) {
    const nextEnd = messageEnd(next, j, special)
    if (indexOf(next, special.thinkEnd, j, nextEnd) === -1) {
      return {
        cause: 'reasoning_stripped',
        detail: inResponse
          ? 'the template dropped the <think> block the model generated'
          : 'the template dropped a <think> block it had rendered in the previous prompt',
      }
    }
  }
  if (
    enclosingBlock(held, j, special.toolCallStart, special.toolCallEnd) ||
    held[j] === special.toolCallStart ||
    next[j] === special.toolCallStart
  ) {
    const rewritten = rewrittenToolName(input)
    if (rewritten !== undefined) {
      return {
        cause: 'tool_name_rewritten',
        detail:
          `the SDK renamed the tool call "${rewritten}" to ${SDK_INVALID_TOOL_NAME} (names must match ` +
          `${SDK_TOOL_NAME_PATTERN.source}) before sending the history back`,
      }
    }
    return {
      cause: 'tool_call_reserialized',
      detail: 'the template re-serialized a tool call differently from what the model produced',
    }
  }
  if (!inResponse) {
    const firstEnd = indexOf(held, special.messageEnd, 0, p)
    if (firstEnd === -1 || j <= firstEnd) {
      return {
        cause: 'template_changed',
        detail: 'the first message (system prompt / tool list / template kwargs) changed between calls',
      }
    }
    return { cause: 'history_rewritten', detail: 'earlier messages were changed or dropped before this call' }
  }
  return { cause: 'unknown', detail: 'the new prompt differs inside the previous response' }
}

function cutDetail(finish: string | null, stop: number | string | null | undefined, inResponse: boolean): string {
  const how =
    finish === 'length'
      ? 'was cut by max_tokens (finish_reason "length")'
      : finish === 'stop' && typeof stop === 'string'
        ? `stopped at the stop string ${JSON.stringify(stop)}`
        : finish === 'stop' && typeof stop === 'number'
          ? `stopped at the stop token id ${stop}`
          : finish === null
            ? 'has no finish reason'
            : `ended with finish_reason ${JSON.stringify(finish)}, not an end-of-sequence token`
  return inResponse
    ? `the previous call ${how}; the template closed its message`
    : `the previous call ${how}; its message was dropped or re-rendered`
}

/**
 * The tool name the SDK rewrote, when the difference lies inside a tool call of the previous response whose
 * recorded name fails the SDK's pattern. The k-th `<tool_call>` of the response is the k-th recorded tool use.
 */
function rewrittenToolName(input: DivergenceInput): string | undefined {
  const names = input.previousToolNames
  if (!names || names.length === 0) return undefined
  const invalid = names.filter((n) => !SDK_TOOL_NAME_PATTERN.test(n))
  if (invalid.length === 0) return undefined
  const { held, index: j, previousPromptLength: p, special } = input
  if (j < p) return undefined
  let k = 0
  for (let i = p; i <= Math.min(j, held.length - 1); i++) if (held[i] === special.toolCallStart) k++
  const name = k > 0 ? names[k - 1] : undefined
  if (name !== undefined) return SDK_TOOL_NAME_PATTERN.test(name) ? undefined : name
  return invalid[0]
}

/** The id slices a decoder should turn into text to refine and illustrate a divergence. */
export function textRequests(input: DivergenceInput): number[][] {
  const { held, next, index: j, special } = input
  const start = Math.max(0, j - WINDOW)
  const heldEnd = messageEnd(held, j, special)
  const nextEnd = messageEnd(next, j, special)
  const slice = (ids: ArrayLike<number>, a: number, b: number): number[] =>
    Array.prototype.slice.call(ids, a, Math.min(b, ids.length)) as number[]
  const resync = resyncPoint(held, next, j)
  return [
    slice(held, start, j),
    slice(held, j, j + WINDOW),
    slice(next, j, j + WINDOW),
    slice(held, j, heldEnd),
    slice(next, j, nextEnd),
    resync ? slice(held, j, resync.held) : [],
    resync ? slice(next, j, resync.next) : [],
  ]
}

/** Ids that must agree after a re-split for the two sides to count as back in step. */
const RESYNC_RUN = 2

/**
 * Where the two sequences fall back into step after the first difference at `j`: the nearest positions (within the
 * window) from which `RESYNC_RUN` ids agree. A BPE re-split (`H`+`AVING` vs `HAV`+`ING`) rejoins within a few ids;
 * comparing the decoded runs up to there tells a local re-split from a real rewrite even when the message differs
 * again later (re-serialized tool arguments in the same turn).
 */
function resyncPoint(
  held: ArrayLike<number>,
  next: ArrayLike<number>,
  j: number
): { held: number; next: number } | null {
  for (let span = 2; span <= 2 * WINDOW; span++) {
    for (let a = 1; a < span; a++) {
      const h = j + a
      const n = j + span - a
      if (h + RESYNC_RUN > held.length || n + RESYNC_RUN > next.length) continue
      let agree = true
      for (let k = 0; k < RESYNC_RUN && agree; k++) agree = held[h + k] === next[n + k]
      if (agree) return { held: h, next: n }
    }
  }
  return null
}

/** Refine an id-only classification with the decoded `textRequests`. */
export function refineWithText(
  input: DivergenceInput,
  classified: Classified,
  texts: readonly string[]
): { classified: Classified; window: DivergenceWindow } {
  let base = classified
  const [
    before = '',
    heldWindow = '',
    receivedWindow = '',
    heldMessage = '',
    nextMessage = '',
    heldRun = '',
    nextRun = '',
  ] = texts
  const window: DivergenceWindow = {
    start: Math.max(0, input.index - WINDOW),
    before,
    held: heldWindow,
    received: receivedWindow,
  }
  if (base.cause === 'tool_name_rewritten') {
    // The decoded prompt confirms (or refutes) the SDK's rename.
    if (nextMessage.includes(SDK_INVALID_TOOL_NAME)) return { classified: base, window }
    base = {
      cause: 'tool_call_reserialized',
      detail: 'the template re-serialized a tool call differently from what the model produced',
    }
  }
  // A split inside a tool call whose text is unchanged is BPE re-tokenization, not re-serialization.
  if (base.cause === 'unknown' || base.cause === 'history_rewritten' || base.cause === 'tool_call_reserialized') {
    if (heldMessage.length > 0 && (heldMessage === nextMessage || nextMessage.startsWith(heldMessage))) {
      return {
        classified: {
          cause: 'retokenization',
          detail: 'same text, different ids: the template re-tokenized text the model produced with other pieces',
        },
        window,
      }
    }
    // The first difference is a local re-split of the same text, even if the message differs again later on.
    if (heldRun.length > 0 && heldRun === nextRun) {
      return {
        classified: {
          cause: 'retokenization',
          detail:
            `the first difference re-tokenizes the same text (${JSON.stringify(heldRun)}) with other pieces; ` +
            'the message may differ again further on',
        },
        window,
      }
    }
  }
  return { classified: base, window }
}
