import type { TitoStatus } from '@strands-vllm/model'
import type { TrajectoryCall } from './call-record.js'
import {
  classifyDivergence,
  DIVERGENCE_CAUSES,
  type Divergence,
  type DivergenceCause,
  type DivergenceInput,
  QWEN3_SPECIAL_IDS,
  refineWithText,
  type SpecialTokenIds,
  textRequests,
} from './divergence.js'
import { TrajectoryDivergenceError } from './errors.js'
import type { AsyncTokenDecoder, TokenDecoder } from './token-decoder.js'
import { TokenManager } from './token-manager.js'
import { Trajectory } from './trajectory.js'

/**
 * What to do when a call's prompt does not extend the previous call's prompt + response:
 * - `split` (default): end the trajectory, start a new one with this call's full prompt;
 * - `fail`: throw `TrajectoryDivergenceError`;
 * - `trust-server`: keep one sequence, rebased on the server's prompt: tokens from the divergence on
 *   are replaced by the new prompt's (mask 0), so earlier sampled tokens the template rewrote are no
 *   longer trained on.
 */
export type DivergencePolicy = 'split' | 'fail' | 'trust-server'

export interface BuildTrajectoriesOptions {
  onDivergence?: DivergencePolicy
  /** Statuses to build from. Default `['exact']`: everything else is excluded (dropped, never zero-filled). */
  acceptStatus?: readonly TitoStatus[]
  /** Decodes ids for windows and the `retokenization` check. */
  decoder?: TokenDecoder
  /**
   * Stitch a call onto a previous call that was cut by `max_tokens` when its prompt happens to extend
   * it. Default false: such a call starts a new trajectory (`truncated_previous`), as prime-rl and
   * others do, because the template closes a cut message the model never closed.
   */
  bridgeTruncated?: boolean
  /** Control-token ids of the model family (default Qwen3). */
  specialTokens?: SpecialTokenIds
}

export interface AsyncBuildTrajectoriesOptions extends Omit<BuildTrajectoriesOptions, 'decoder'> {
  /** A local tokenizer, or `vllmDetokenizer(...)`. */
  decoder?: TokenDecoder | AsyncTokenDecoder
}

/** A call the builder left out, and why. */
export interface ExcludedCall {
  callIndex: number
  status: TitoStatus
  reason: string
  /** Set when a retry (`attempt > 1`, same invocation, same prompt) replaced this call: the retry's call index. */
  supersededBy?: number
}

/** How each included call relates to the one before it (the JSONL `checks.prefix`). */
export interface CallLink {
  callIndex: number
  trajectoryIndex: number
  /** `first`: starts a trajectory (the first call, or the first of a new invocation whose prompt does not
   * extend the previous one: a new episode, not a divergence); `extends`: prompt extends previous prompt +
   * response; `retry`: a retry (`attempt > 1`, same invocation) with the same prompt as the previous call,
   * whose response it replaces (the replaced call leaves `calls` and is listed in `excluded` with
   * `supersededBy`); `diverged`: started a new trajectory; `rebased`: diverged, kept in the same trajectory
   * (`trust-server`). */
  relation: 'first' | 'extends' | 'retry' | 'diverged' | 'rebased'
  previousCallIndex: number | null
  /** Prompt tokens added before this call's response (the whole prompt for `first` / `diverged`). */
  bridgeLength: number
  divergeAt: number | null
  cause: DivergenceCause | null
}

export interface BuildResult {
  trajectories: Trajectory[]
  divergences: Divergence[]
  excluded: ExcludedCall[]
  calls: CallLink[]
  /** Divergences per cause (every cause present, zero when none). */
  causeCounts: Record<DivergenceCause, number>
}

interface Pending {
  divergence: Divergence
  input: DivergenceInput
}

const CAUSES = DIVERGENCE_CAUSES

/**
 * Turn recorded calls (`recorder.history`, or records read back from JSONL) into prefix-checked
 * trajectories. This is the only correct way from per-call prompts to training sequences: each
 * prompt is the whole re-templated conversation, so adding prompts whole would duplicate history.
 */
export function buildTrajectories(
  calls: readonly TrajectoryCall[],
  options: BuildTrajectoriesOptions = {}
): BuildResult {
  const { result, pending, failed } = walk(calls, options)
  for (const p of pending) {
    const base = classifyDivergence(p.input)
    if (options.decoder) {
      const decoder = options.decoder
      const texts = textRequests(p.input).map((ids) => (ids.length === 0 ? '' : decoder.decode(ids)))
      finish(p, refineWithText(p.input, base, texts))
    } else Object.assign(p.divergence, base)
  }
  return done(result, pending, failed)
}

/** `buildTrajectories` with an async decoder (e.g. `vllmDetokenizer`). */
export async function buildTrajectoriesAsync(
  calls: readonly TrajectoryCall[],
  options: AsyncBuildTrajectoriesOptions = {}
): Promise<BuildResult> {
  const { result, pending, failed } = walk(calls, options)
  for (const p of pending) {
    const base = classifyDivergence(p.input)
    if (options.decoder) {
      const decoder = options.decoder
      const texts = await Promise.all(textRequests(p.input).map((ids) => (ids.length === 0 ? '' : decoder.decode(ids))))
      finish(p, refineWithText(p.input, base, texts))
    } else Object.assign(p.divergence, base)
  }
  return done(result, pending, failed)
}

function finish(p: Pending, refined: ReturnType<typeof refineWithText>): void {
  p.divergence.cause = refined.classified.cause
  p.divergence.detail = refined.classified.detail
  p.divergence.window = refined.window
}

function done(result: BuildResult, pending: Pending[], failed: boolean): BuildResult {
  for (const p of pending) {
    result.causeCounts[p.divergence.cause]++
    const link = result.calls.find((c) => c.callIndex === p.divergence.callIndex)
    if (link) link.cause = p.divergence.cause
  }
  const first = pending[0]
  if (failed && first) {
    const d = first.divergence
    throw new TrajectoryDivergenceError(
      `call ${d.callIndex}'s prompt does not extend call ${d.previousCallIndex}'s prompt + response: ` +
        `first difference at index ${d.index} (${d.cause}: ${d.detail})`,
      d
    )
  }
  return result
}

function walk(
  calls: readonly TrajectoryCall[],
  options: Omit<BuildTrajectoriesOptions, 'decoder'>
): { result: BuildResult; pending: Pending[]; failed: boolean } {
  const policy = options.onDivergence ?? 'split'
  const accept = options.acceptStatus ?? ['exact']
  const special = options.specialTokens ?? QWEN3_SPECIAL_IDS
  const result: BuildResult = {
    trajectories: [],
    divergences: [],
    excluded: [],
    calls: [],
    causeCounts: Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<DivergenceCause, number>,
  }
  const pending: Pending[] = []
  let current: Trajectory | undefined
  let previous: TrajectoryCall | undefined
  /** Where each included call's sampled ids start in its trajectory (to know what a truncation cut). */
  const responseAt = new Map<number, { start: number; length: number; status: TitoStatus }>()
  const addResponse = (tokens: TokenManager, call: TrajectoryCall, response: number[]) => {
    responseAt.set(call.callIndex, { start: tokens.length, length: response.length, status: call.status })
    tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
  }

  const start = (call: TrajectoryCall, prompt: number[], response: number[], relation: CallLink['relation']) => {
    const tokens = new TokenManager({ initialCapacity: prompt.length + response.length + 1024 })
    tokens.addPrompt(prompt, null, { callIndex: call.callIndex })
    addResponse(tokens, call, response)
    current = new Trajectory(result.trajectories.length, [call.callIndex], tokens)
    result.trajectories.push(current)
    return { relation, bridgeLength: prompt.length }
  }

  for (const call of calls) {
    const prompt = call.promptTokenIds
    const response = call.tokenIds
    if (!accept.includes(call.status) || !prompt || !response) {
      const reason = !accept.includes(call.status)
        ? `tito status "${call.status}" is not accepted`
        : `no ${prompt ? 'response' : 'prompt'} token ids`
      result.excluded.push({ callIndex: call.callIndex, status: call.status, reason })
      continue
    }
    if (call.logprobs && call.logprobs.length !== response.length) {
      result.excluded.push({
        callIndex: call.callIndex,
        status: call.status,
        reason: `${call.logprobs.length} logprobs for ${response.length} token ids`,
      })
      continue
    }
    if (!current || !previous) {
      const link = start(call, prompt, response, 'first')
      result.calls.push(linkOf(call, current!, link.relation, null, link.bridgeLength, null))
      previous = call
      continue
    }
    const tokens = current.tokens
    const realMismatch = tokens.firstMismatch(prompt)
    let mismatch = realMismatch
    if (mismatch === -1 && previous.finishReason === 'length' && !options.bridgeTruncated) mismatch = tokens.length
    const previousPromptLength = previous.promptTokenIds!.length
    const newInvocation =
      call.invocationIndex !== undefined &&
      previous.invocationIndex !== undefined &&
      call.invocationIndex !== previous.invocationIndex
    const isRetry =
      (call.attempt ?? 1) > 1 &&
      call.invocationIndex === previous.invocationIndex &&
      mismatch === prompt.length &&
      prompt.length === previousPromptLength
    if (mismatch === -1) {
      const added = prompt.length - tokens.length
      tokens.addPrompt(prompt, null, { callIndex: call.callIndex, from: tokens.length })
      addResponse(tokens, call, response)
      current.callIndices.push(call.callIndex)
      result.calls.push(linkOf(call, current, 'extends', previous.callIndex, added, null))
    } else if (isRetry) {
      // A retry of the previous call (same invocation, same prompt): the new response replaces the old one,
      // and the prompt tokens the replaced call added are re-tagged with the retry's call index.
      const replaced = previous.callIndex
      const bridgeStart = tokens.segments.find((seg) => seg.callIndex === replaced)?.start ?? prompt.length
      tokens.truncate(bridgeStart)
      tokens.addPrompt(prompt, null, { callIndex: call.callIndex, from: bridgeStart })
      addResponse(tokens, call, response)
      responseAt.delete(replaced)
      const at = current.callIndices.lastIndexOf(replaced)
      if (at !== -1) current.callIndices.splice(at, 1)
      current.callIndices.push(call.callIndex)
      const linkAt = result.calls.findIndex((l) => l.callIndex === replaced)
      if (linkAt !== -1) result.calls.splice(linkAt, 1)
      result.excluded.push({
        callIndex: replaced,
        status: previous.status,
        reason: `superseded by call ${call.callIndex} (a retry with the same prompt ids)`,
        supersededBy: call.callIndex,
      })
      result.calls.push(linkOf(call, current, 'retry', replaced, prompt.length - bridgeStart, null))
    } else if (
      newInvocation &&
      realMismatch !== -1 &&
      ((realMismatch === prompt.length && prompt.length === previousPromptLength) ||
        realMismatch <= firstUserTurnEnd(previous.promptTokenIds!, special))
    ) {
      // A new invocation that resamples the same prompt, or whose prompt already differs inside the system prompt
      // or the first user message (fresh messages, a new system prompt): a new episode, not drift. A new
      // invocation that continues the conversation (same opening) but re-renders later turns is a divergence.
      const link = start(call, prompt, response, 'first')
      result.calls.push(linkOf(call, current!, link.relation, null, link.bridgeLength, null))
    } else {
      const held = tokens.tokenIds
      const divergence: Divergence = {
        callIndex: call.callIndex,
        previousCallIndex: previous.callIndex,
        trajectoryIndex: current.index,
        index: mismatch,
        cause: 'unknown',
        detail: '',
        previousPromptLength,
        heldLength: held.length,
        heldId: mismatch < held.length ? held[mismatch]! : null,
        receivedId: mismatch < prompt.length ? prompt[mismatch]! : null,
      }
      result.divergences.push(divergence)
      pending.push({
        divergence,
        input: {
          held,
          previousPromptLength: divergence.previousPromptLength,
          next: prompt,
          index: mismatch,
          previousFinishReason: previous.finishReason,
          special,
        },
      })
      if (policy === 'fail') return { result, pending, failed: true }
      if (policy === 'trust-server') {
        tokens.truncate(mismatch)
        // Calls whose sampled ids the truncation removed entirely are no longer trained on: drop them.
        const kept: number[] = []
        for (const c of current.callIndices) {
          const at = responseAt.get(c)
          if (!at || at.start < mismatch || (at.length === 0 && at.start <= mismatch)) kept.push(c)
          else {
            result.excluded.push({
              callIndex: c,
              status: at.status,
              reason: `its sampled ids were replaced by call ${call.callIndex}'s prompt (trust-server rebase)`,
            })
          }
        }
        current.callIndices.splice(0, current.callIndices.length, ...kept)
        const added = tokens.extendToPrompt(prompt, { callIndex: call.callIndex })
        addResponse(tokens, call, response)
        current.callIndices.push(call.callIndex)
        result.calls.push(linkOf(call, current, 'rebased', previous.callIndex, added, mismatch))
      } else {
        const link = start(call, prompt, response, 'diverged')
        result.calls.push(linkOf(call, current!, link.relation, previous.callIndex, link.bridgeLength, mismatch))
      }
    }
    previous = call
  }
  for (const t of result.trajectories) t.tokens.trim()
  return { result, pending, failed: false }
}

/** Start of the previous prompt's last message (the generation header), or its length when it has none. */
/** Index of the end-of-message id closing the first user turn; -1 when the role id is unknown or absent. */
function firstUserTurnEnd(prompt: readonly number[], special: SpecialTokenIds): number {
  if (special.userRole === undefined) return -1
  for (let i = 0; i + 1 < prompt.length; i++) {
    if (prompt[i] === special.messageStart && prompt[i + 1] === special.userRole) {
      const end = prompt.indexOf(special.messageEnd, i + 2)
      return end === -1 ? prompt.length : end
    }
  }
  return -1
}

function linkOf(
  call: TrajectoryCall,
  trajectory: Trajectory,
  relation: CallLink['relation'],
  previousCallIndex: number | null,
  bridgeLength: number,
  divergeAt: number | null
): CallLink {
  return {
    callIndex: call.callIndex,
    trajectoryIndex: trajectory.index,
    relation,
    previousCallIndex,
    bridgeLength,
    divergeAt,
    cause: null,
  }
}
