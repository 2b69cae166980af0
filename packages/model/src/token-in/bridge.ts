import { VLLMTokenInError } from '../errors.js'

export interface BridgeInput {
  /** The dummy prefix rendered alone, without a generation prompt (A). */
  before: readonly number[]
  /** The dummy prefix + the appended messages, with the generation prompt (B). */
  after: readonly number[]
  /** What the previous call sampled (its last id tells whether it closed its turn). */
  previousSampled: readonly number[]
  /** Ids that may close an assistant turn (EOS / end-of-message). */
  endIds: ReadonlySet<number>
}

export interface Bridge {
  ids: number[]
  /** The previous turn did not end with the template's close, so the bridge starts with it. */
  synthesizedClose: boolean
}

/**
 * The ids the template puts after a closed assistant turn for the appended messages: B minus A, cut right after
 * A's last end-of-message id, so the template's separator after it (Qwen3: `\n`, id 198; the id verl PR #6921 found
 * missing) is part of the bridge. A previous turn that did not end with that id (a stop string, `repetition`, a
 * cut) gets the close synthesized in front. `undefined` when A holds no known end-of-message id.
 */
export function computeBridge(input: BridgeInput): Bridge | undefined {
  const { before, after } = input
  const n = Math.min(before.length, after.length)
  for (let i = 0; i < n; i++) {
    if (before[i] !== after[i]) throw notPrefix(i, before[i]!, after[i]!)
  }
  if (after.length < before.length) throw notPrefix(after.length, before[after.length]!, undefined)
  let end = -1
  for (let i = before.length - 1; i >= 0; i--) {
    if (input.endIds.has(before[i]!)) {
      end = i
      break
    }
  }
  if (end < 0) return undefined
  const close = before[end]!
  const tail = after.slice(end + 1)
  if (input.previousSampled[input.previousSampled.length - 1] === close) return { ids: tail, synthesizedClose: false }
  return { ids: [close, ...tail], synthesizedClose: true }
}

function notPrefix(position: number, dummy: number, withAppended: number | undefined): VLLMTokenInError {
  const got = withAppended === undefined ? 'ends there' : `has id ${withAppended}`
  return new VLLMTokenInError(
    `token-in bridge: the dummy prefix rendered alone is not an id prefix of the dummy prefix + the appended ` +
      `messages: first difference at position ${position} (alone: id ${dummy}; with the appended messages: ${got}). ` +
      'The chat template renders the dummy turn differently depending on what follows it, so the difference of ' +
      'the two renderings is not what the template appends; set tokenIn.dummyPrefix to messages it renders stably',
    { code: 'bridge_not_prefix', position }
  )
}
