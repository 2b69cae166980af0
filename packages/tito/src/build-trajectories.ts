import type { TitoStatus } from '@strands-vllm/model'
import type { TokenInRenderReason, TrajectoryCall } from './call-record.js'
import {
  classifyDivergence,
  DIVERGENCE_CAUSES,
  type Divergence,
  type DivergenceCause,
  type DivergenceInput,
  endedCleanly,
  QWEN3_SPECIAL_IDS,
  refineWithText,
  type SpecialTokenIds,
  textRequests,
} from './divergence.js'
import { TokenInInvariantError, TrajectoryDivergenceError } from './errors.js'
import { groupCallPositions } from './group-calls.js'
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
   * Stitch a call onto a previous call that did not end with its end-of-sequence token (`length`, `abort`,
   * `repetition`, a stop string or stop token id, an unknown reason) when its prompt happens to extend it.
   * Default false: such a call starts a new trajectory (`truncated_previous`), as prime-rl and others do,
   * because the template closes a cut message with ids the model never sampled. Token-in `extended` calls
   * always extend (the model appended to the sampled ids itself; the close is context).
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
  /** Position in the builder's input (call indices repeat across rollouts; positions do not). */
  position: number
  rolloutId?: string
  status: TitoStatus
  reason: string
  /** Set when a retry (`attempt > 1`, same invocation, same prompt) replaced this call: the retry's call index. */
  supersededBy?: number
}

/** How each included call relates to the one before it (the JSONL `checks.prefix`). */
export interface CallLink {
  callIndex: number
  /** Position in the builder's input (call indices repeat across rollouts; positions do not). */
  position: number
  rolloutId?: string
  trajectoryIndex: number
  /** `first`: starts a trajectory (the first call of a conversation, a new episode, or a token-in prompt rendered
   * afresh — see `renderReason`); `extends`: prompt extends previous prompt + response; `retry`: a retry
   * (`attempt > 1` in the same invocation, or a token-in `retry` prompt) with the same prompt as the previous call,
   * whose response it replaces (the replaced call leaves `calls` and is listed in `excluded` with `supersededBy`);
   * `diverged`: started a new trajectory; `rebased`: diverged, kept in the same trajectory (`trust-server`). */
  relation: 'first' | 'extends' | 'retry' | 'diverged' | 'rebased'
  previousCallIndex: number | null
  /** Prompt tokens added before this call's response (the whole prompt for `first` / `diverged`). */
  bridgeLength: number
  divergeAt: number | null
  cause: DivergenceCause | null
  /** Token-in calls whose prompt was rendered afresh: why (`first_call`, `messages_reset`, …). */
  renderReason?: TokenInRenderReason
}

export interface BuildResult {
  trajectories: Trajectory[]
  divergences: Divergence[]
  excluded: ExcludedCall[]
  /** One link per included call, grouped by conversation (rollout, then recorder history), in call order. */
  calls: CallLink[]
  /** Divergences per cause (every cause present, zero when none). */
  causeCounts: Record<DivergenceCause, number>
}

export interface Pending {
  divergence: Divergence
  input: DivergenceInput
  /** The link the cause goes on (by identity: call indices repeat across rollouts). Absent under `fail`. */
  link: CallLink | undefined
}

interface Walked {
  result: BuildResult
  pending: Pending[]
  failed: boolean
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
  const walked = walk(calls, options)
  for (const p of walked.pending) {
    const base = classifyDivergence(p.input)
    if (options.decoder) {
      const decoder = options.decoder
      const texts = textRequests(p.input).map((ids) => (ids.length === 0 ? '' : decoder.decode(ids)))
      finish(p, refineWithText(p.input, base, texts))
    } else Object.assign(p.divergence, base)
  }
  return done(walked)
}

/** `buildTrajectories` with an async decoder (e.g. `vllmDetokenizer`). */
export async function buildTrajectoriesAsync(
  calls: readonly TrajectoryCall[],
  options: AsyncBuildTrajectoriesOptions = {}
): Promise<BuildResult> {
  const walked = walk(calls, options)
  for (const p of walked.pending) {
    const base = classifyDivergence(p.input)
    if (options.decoder) {
      const decoder = options.decoder
      const texts = await Promise.all(textRequests(p.input).map((ids) => (ids.length === 0 ? '' : decoder.decode(ids))))
      finish(p, refineWithText(p.input, base, texts))
    } else Object.assign(p.divergence, base)
  }
  return done(walked)
}

function finish(p: Pending, refined: ReturnType<typeof refineWithText>): void {
  p.divergence.cause = refined.classified.cause
  p.divergence.detail = refined.classified.detail
  p.divergence.window = refined.window
}

function done({ result, pending, failed }: Walked): BuildResult {
  for (const p of pending) {
    result.causeCounts[p.divergence.cause]++
    if (p.link) p.link.cause = p.divergence.cause
  }
  const first = pending[0]
  if (failed && first) {
    const d = first.divergence
    throw new TrajectoryDivergenceError(
      `call ${d.callIndex}'s prompt does not extend call ${d.previousCallIndex}'s prompt + response` +
        `${d.rolloutId === undefined ? '' : ` (rollout "${d.rolloutId}")`}: ` +
        `first difference at index ${d.index} (${d.cause}: ${d.detail})`,
      d
    )
  }
  return result
}

/** An empty result (every cause counted at zero). */
export function emptyBuildResult(): BuildResult {
  return {
    trajectories: [],
    divergences: [],
    excluded: [],
    calls: [],
    causeCounts: Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<DivergenceCause, number>,
  }
}

/** Internal walk options: the JSONL writers record token-in violations as divergences instead of throwing. */
export interface WalkOptions extends Omit<BuildTrajectoriesOptions, 'decoder'> {
  /** Throw `TokenInInvariantError` for an `extended` prompt that does not extend (default true). */
  checkTokenIn?: boolean
}

/**
 * Links and exclusions for writing records: the `split` build with id-only causes, where a token-in violation is
 * written as the divergence it is (records are evidence; only training from them must stop).
 */
export function linkCalls(calls: readonly TrajectoryCall[]): BuildResult {
  const walked = walk(calls, { checkTokenIn: false })
  for (const p of walked.pending) Object.assign(p.divergence, classifyDivergence(p.input))
  return done(walked)
}

function walk(calls: readonly TrajectoryCall[], options: WalkOptions): Walked {
  const result = emptyBuildResult()
  const pending: Pending[] = []
  let failed = false
  outer: for (const group of groupCallPositions(calls)) {
    const walker = conversationWalker(options, result, pending)
    for (const position of group) {
      if (walker.push(calls[position]!, position)) {
        failed = true
        break outer
      }
    }
  }
  for (const t of result.trajectories) t.tokens.trim()
  return { result, pending, failed }
}

/** Where an included call's sampled ids sit in its trajectory (to know what a `trust-server` rebase cut). */
interface ResponseSpan {
  start: number
  length: number
  call: TrajectoryCall
  position: number
}

/** Walks one conversation (one rollout's recorder history), a call at a time. */
export interface ConversationWalker {
  /** Link or exclude the next call; true when the `fail` policy stops the build. Divergences stay pending. */
  push(call: TrajectoryCall, position: number): boolean
}

/**
 * The builder's state machine for one conversation, fed one call at a time: `buildTrajectories` runs one per
 * conversation; the recorder's JSONL sink keeps one to write each call's prefix check as the call completes.
 */
export function conversationWalker(options: WalkOptions, result: BuildResult, pending: Pending[]): ConversationWalker {
  const policy = options.onDivergence ?? 'split'
  const accept = options.acceptStatus ?? ['exact']
  const special = options.specialTokens ?? QWEN3_SPECIAL_IDS
  let current: Trajectory | undefined
  let previous: { call: TrajectoryCall; position: number; link: CallLink } | undefined
  /** The last call with both id arrays, whatever its status: what a token-in `extended` prompt must extend. */
  let lastWithIds: TrajectoryCall | undefined
  const responseAt = new Map<number, ResponseSpan>()
  /** Each linked call's link, to take it back out when a `trust-server` rebase drops the call. */
  const linkOf = new Map<TrajectoryCall, CallLink>()

  const excluded = (call: TrajectoryCall, position: number, reason: string, supersededBy?: number) => {
    const e: ExcludedCall = { callIndex: call.callIndex, position, status: call.status, reason }
    if (call.rolloutId !== undefined) e.rolloutId = call.rolloutId
    if (supersededBy !== undefined) e.supersededBy = supersededBy
    result.excluded.push(e)
  }
  const addResponse = (trajectory: Trajectory, call: TrajectoryCall, position: number, response: number[]) => {
    const tokens = trajectory.tokens
    responseAt.set(call.callIndex, { start: tokens.length, length: response.length, call, position })
    tokens.addResponse(response, call.logprobs ?? null, { callIndex: call.callIndex })
    trajectory.callIndices.push(call.callIndex)
    trajectory.calls.push(call)
  }
  const link = (
    call: TrajectoryCall,
    position: number,
    relation: CallLink['relation'],
    previousCallIndex: number | null,
    bridgeLength: number,
    divergeAt: number | null
  ): CallLink => {
    const l: CallLink = {
      callIndex: call.callIndex,
      position,
      trajectoryIndex: current!.index,
      relation,
      previousCallIndex,
      bridgeLength,
      divergeAt,
      cause: null,
    }
    if (call.rolloutId !== undefined) l.rolloutId = call.rolloutId
    if (relation === 'first' && call.tokenIn?.prompt === 'rendered' && call.tokenIn.renderReason) {
      l.renderReason = call.tokenIn.renderReason
    }
    result.calls.push(l)
    linkOf.set(call, l)
    return l
  }
  const start = (call: TrajectoryCall, position: number, prompt: number[], response: number[]) => {
    const tokens = new TokenManager({ initialCapacity: prompt.length + response.length + 1024 })
    tokens.addPrompt(prompt, null, { callIndex: call.callIndex })
    current = new Trajectory(result.trajectories.length, [], tokens, call.rolloutId ?? null)
    result.trajectories.push(current)
    responseAt.clear()
    addResponse(current, call, position, response)
  }

  const push = (call: TrajectoryCall, position: number): boolean => {
    const prompt = call.promptTokenIds
    const response = call.tokenIds
    if (call.tokenIn?.prompt === 'extended' && prompt && lastWithIds && options.checkTokenIn !== false) {
      checkTokenIn(call, prompt, lastWithIds)
    }
    if (prompt && response) lastWithIds = call
    if (!accept.includes(call.status) || !prompt || !response || prompt.length === 0) {
      const reason = !accept.includes(call.status)
        ? `tito status "${call.status}" is not accepted`
        : prompt?.length === 0
          ? 'an empty prompt'
          : `no ${prompt ? 'response' : 'prompt'} token ids`
      excluded(call, position, reason)
      return false
    }
    if (call.logprobs && call.logprobs.length !== response.length) {
      excluded(call, position, `${call.logprobs.length} logprobs for ${response.length} token ids`)
      return false
    }
    if (!current || !previous || call.tokenIn?.prompt === 'rendered') {
      // A conversation's first call, or a token-in prompt the model rendered afresh (a reset, changed tools…):
      // token-in never re-renders inside a trajectory, so a fresh rendering is a new one, with its reason.
      start(call, position, prompt, response)
      previous = { call, position, link: link(call, position, 'first', null, prompt.length, null) }
      return false
    }
    const trajectory: Trajectory = current
    const tokens = trajectory.tokens
    const before = previous.call
    const realMismatch = tokens.firstMismatch(prompt)
    let mismatch = realMismatch
    // A cut turn (no end-of-sequence id) is closed by the template with ids the model never sampled: not stitched,
    // unless asked. A token-in `extended` prompt appended to the sampled ids itself, so it always extends.
    const cut = !endedCleanly(before.finishReason, before.stopReason)
    if (mismatch === -1 && cut && !options.bridgeTruncated && call.tokenIn?.prompt !== 'extended') {
      mismatch = tokens.length
    }
    const previousPromptLength = before.promptTokenIds!.length
    const newInvocation =
      call.invocationIndex !== undefined &&
      before.invocationIndex !== undefined &&
      call.invocationIndex !== before.invocationIndex
    const samePrompt = mismatch === prompt.length && prompt.length === previousPromptLength
    const isRetry =
      samePrompt &&
      (((call.attempt ?? 1) > 1 && call.invocationIndex === before.invocationIndex) || call.tokenIn?.prompt === 'retry')
    if (mismatch === -1) {
      const added = prompt.length - tokens.length
      tokens.addPrompt(prompt, null, { callIndex: call.callIndex, from: tokens.length })
      addResponse(trajectory, call, position, response)
      previous = { call, position, link: link(call, position, 'extends', before.callIndex, added, null) }
    } else if (isRetry) {
      // A retry of the previous call (same prompt): the new response replaces the old one, and the prompt tokens
      // the replaced call added are re-tagged with the retry's call index.
      const replaced = before.callIndex
      const bridgeStart = tokens.segments.find((seg) => seg.callIndex === replaced)?.start ?? prompt.length
      tokens.truncate(bridgeStart)
      tokens.addPrompt(prompt, null, { callIndex: call.callIndex, from: bridgeStart })
      responseAt.delete(replaced)
      const at = trajectory.calls.lastIndexOf(before)
      if (at !== -1) {
        trajectory.calls.splice(at, 1)
        trajectory.callIndices.splice(at, 1)
      }
      addResponse(trajectory, call, position, response)
      const linkAt = result.calls.lastIndexOf(previous.link)
      if (linkAt !== -1) result.calls.splice(linkAt, 1)
      excluded(
        before,
        previous.position,
        `superseded by call ${call.callIndex} (a retry with the same prompt ids)`,
        call.callIndex
      )
      previous = {
        call,
        position,
        link: link(call, position, 'retry', replaced, prompt.length - bridgeStart, null),
      }
    } else if (
      newInvocation &&
      realMismatch !== -1 &&
      (realMismatch === prompt.length || realMismatch <= firstUserTurnEnd(before.promptTokenIds!, special))
    ) {
      // A new invocation whose prompt is a prefix of what is held (the same task again after `agent.messages = []`:
      // a GRPO resample, however many calls the last episode had), or that already differs inside the system prompt
      // or the first user message (fresh messages): a new episode, not drift. A new invocation that continues the
      // conversation (same opening) but re-renders later turns is a divergence.
      start(call, position, prompt, response)
      previous = { call, position, link: link(call, position, 'first', null, prompt.length, null) }
    } else {
      const held = tokens.tokenIds
      const divergence: Divergence = {
        callIndex: call.callIndex,
        position,
        previousCallIndex: before.callIndex,
        trajectoryIndex: trajectory.index,
        index: mismatch,
        cause: 'unknown',
        detail: '',
        previousPromptLength,
        heldLength: held.length,
        heldId: mismatch < held.length ? held[mismatch]! : null,
        receivedId: mismatch < prompt.length ? prompt[mismatch]! : null,
      }
      if (call.rolloutId !== undefined) divergence.rolloutId = call.rolloutId
      result.divergences.push(divergence)
      const input: DivergenceInput = {
        held,
        previousPromptLength,
        next: prompt,
        index: mismatch,
        previousFinishReason: before.finishReason,
        previousStopReason: before.stopReason ?? null,
        special,
      }
      if (before.toolUses) input.previousToolNames = before.toolUses.map((t) => t.name)
      const p: Pending = { divergence, input, link: undefined }
      pending.push(p)
      if (policy === 'fail') return true
      if (policy === 'trust-server') {
        tokens.truncate(mismatch)
        // Calls whose sampled ids the truncation removed entirely are no longer trained on: drop them.
        const keptCalls: TrajectoryCall[] = []
        for (const c of trajectory.calls) {
          const at = responseAt.get(c.callIndex)
          if (!at || at.start < mismatch || (at.length === 0 && at.start <= mismatch)) keptCalls.push(c)
          else {
            excluded(
              at.call,
              at.position,
              `its sampled ids were replaced by call ${call.callIndex}'s prompt (trust-server rebase)`
            )
            const dropped = linkOf.get(at.call)
            const linkAt = dropped ? result.calls.lastIndexOf(dropped) : -1
            if (linkAt !== -1) result.calls.splice(linkAt, 1)
          }
        }
        trajectory.calls.splice(0, trajectory.calls.length, ...keptCalls)
        trajectory.callIndices.splice(0, trajectory.callIndices.length, ...keptCalls.map((c) => c.callIndex))
        const added = tokens.extendToPrompt(prompt, { callIndex: call.callIndex })
        addResponse(trajectory, call, position, response)
        p.link = link(call, position, 'rebased', before.callIndex, added, mismatch)
      } else {
        start(call, position, prompt, response)
        p.link = link(call, position, 'diverged', before.callIndex, prompt.length, mismatch)
      }
      previous = { call, position, link: p.link }
    }
    return false
  }
  return { push }
}

/** A token-in `extended` prompt must start with the previous call's prompt + sampled ids; anything else is a bug. */
function checkTokenIn(call: TrajectoryCall, prompt: readonly number[], prior: TrajectoryCall): void {
  const priorPrompt = prior.promptTokenIds!
  const priorIds = prior.tokenIds!
  const expected = priorPrompt.length + priorIds.length
  let at = -1
  for (let i = 0; i < expected; i++) {
    const want = i < priorPrompt.length ? priorPrompt[i] : priorIds[i - priorPrompt.length]
    if (i >= prompt.length || prompt[i] !== want) {
      at = i
      break
    }
  }
  const declared = call.tokenIn?.previousLength
  if (at === -1 && (declared === null || declared === undefined || declared === expected)) return
  const where = call.rolloutId === undefined ? '' : ` of rollout "${call.rolloutId}"`
  const index = at === -1 ? Math.min(declared ?? expected, expected) : at
  const message =
    at === -1
      ? `token-in call ${call.callIndex}${where} says it extends ${declared} ids, but call ${prior.callIndex}'s ` +
        `prompt + sampled ids are ${expected} ids`
      : `token-in call ${call.callIndex}${where} is recorded as "extended" but its prompt does not start with call ` +
        `${prior.callIndex}'s prompt + sampled ids: first difference at index ${at} ` +
        `(${at >= prompt.length ? 'the prompt ends there' : `prompt id ${prompt[at]}, expected ${at < priorPrompt.length ? priorPrompt[at] : priorIds[at - priorPrompt.length]}`}; ` +
        `${priorPrompt.length} prompt + ${priorIds.length} sampled ids expected as prefix)`
  const details: TokenInInvariantError['details'] = {
    callIndex: call.callIndex,
    previousCallIndex: prior.callIndex,
    index,
  }
  if (call.rolloutId !== undefined) details.rolloutId = call.rolloutId
  throw new TokenInInvariantError(message, details)
}

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
