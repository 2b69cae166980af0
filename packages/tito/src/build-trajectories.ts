import type { TitoStatus } from '@strands-vllm/model'
import type { TrajectoryCall } from './call-record.js'
import {
  classifyDivergence,
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
}

/** How each included call relates to the one before it (the JSONL `checks.prefix`). */
export interface CallLink {
  callIndex: number
  trajectoryIndex: number
  /** `first`: starts a trajectory; `extends`: prompt extends previous prompt + response; `retry`: same
   * prompt as the previous call, whose response it replaces; `diverged`: started a new trajectory;
   * `rebased`: diverged, kept in the same trajectory (`trust-server`). */
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

const CAUSES: DivergenceCause[] = [
  'reasoning_stripped',
  'tool_call_reserialized',
  'retokenization',
  'separator_missing',
  'template_changed',
  'history_rewritten',
  'truncated_previous',
  'unknown',
]

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

  const start = (call: TrajectoryCall, prompt: number[], response: number[], relation: CallLink['relation']) => {
    const tokens = new TokenManager({ initialCapacity: prompt.length + response.length + 1024 })
    tokens.addPrompt(prompt, null, { callIndex: call.callIndex })
    tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
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
    let mismatch = tokens.firstMismatch(prompt)
    if (mismatch === -1 && previous.finishReason === 'length' && !options.bridgeTruncated) mismatch = tokens.length
    const previousPromptLength = previous.promptTokenIds!.length
    if (mismatch === -1) {
      const added = prompt.length - tokens.length
      tokens.addPrompt(prompt, null, { callIndex: call.callIndex, from: tokens.length })
      tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
      current.callIndices.push(call.callIndex)
      result.calls.push(linkOf(call, current, 'extends', previous.callIndex, added, null))
    } else if (mismatch === prompt.length && prompt.length === previousPromptLength) {
      // Same prompt again (a retry after a successful call): the new response replaces the old one.
      tokens.truncate(prompt.length)
      tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
      current.callIndices.pop()
      current.callIndices.push(call.callIndex)
      result.excluded.push({
        callIndex: previous.callIndex,
        status: previous.status,
        reason: `superseded by call ${call.callIndex} (same prompt ids)`,
      })
      result.calls.push(linkOf(call, current, 'retry', previous.callIndex, 0, null))
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
        const added = tokens.extendToPrompt(prompt, { callIndex: call.callIndex })
        tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
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
