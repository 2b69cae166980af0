import type { CallDrift, DriftAnalysis } from './analyze-calls.js'
import { displayPiece } from './display.js'
import type { DriftTrajectory } from './drift-trajectory.js'

/**
 * The data the report's script renders on demand, embedded once as compact JSON: token chips are only
 * built when a section is opened, so a 2,000-call report stays small and opens fast.
 *
 * Ids are written as fixed-width base-64 digits (`w` characters each, no separators); a trajectory that
 * starts like an earlier one stores only `[earlier trajectory, shared length]` plus its own tail; masks
 * are run lengths (context first). Keys are short on purpose: this is a wire format, not an API.
 */
export interface ReportPayload {
  /** Digits per id (3 covers vocabularies up to 262,144 ids). */
  w: number
  /** id → display piece, or [display, vocabulary piece] when they differ (`␣world` / `Ġworld`). */
  v: Record<string, string | [string, string]>
  /** Rollout ids; calls and trajectories point into it (-1: none). */
  r: string[]
  /** Repeated texts (causes, the builder's explanations); `e.cause` and `e.detail` point into it. */
  s: string[]
  t: TrajectoryPayload[]
  c: CallPayload[]
}

export interface TrajectoryPayload {
  r: number
  /** Call indices. */
  k: number[]
  /** Shared prefix: [earlier trajectory, length]. */
  b?: [number, number]
  /** Own ids (after the shared prefix), encoded. */
  x: string
  /** Loss-mask run lengths, alternating, starting with mask 0. */
  m: number[]
  /** Drifted positions. */
  d: number[]
  /** Rewritten positions. */
  rw: number[]
  /** Ended by: [call index, break position, cause]. */
  e?: [number, number, string]
  /** Calls (positions in `c`) in this trajectory. */
  cs: number[]
}

export interface CallPayload {
  r: number
  i: number | null
  k: number
  a: number | null
  s: string
  f: string | null
  p: number | null
  n: number | null
  /** Logprobs: [count, mean, min]. */
  l: [number, number, number] | null
  /** Trajectory and where this call's sampled ids start in it. */
  t: number
  o: number
  /** BPE: [first divergence, changed count, text changed 0/1, creates control tokens 0/1], with the drift regions. */
  b?: { h: [number, number, number, number]; a: WindowPayload; z: WindowPayload; eos: number | null }
  /** Prompt break against the previous call; window positions from `at` on are the ones that differ. */
  e?: {
    prev: number
    at: number
    off: number
    cause: number
    lost: number
    detail: number
    held: WindowPayload
    rendered: WindowPayload
  }
  /** 1: extends the previous call, 0: breaks, absent: not checked. */
  x?: 0 | 1
}

/**
 * A slice of a sequence, numbered from `s`: its ids either inline (`x`) or, when a trajectory already holds
 * them, as a reference (`t`, offset `o`, length `n`); `mk`: positions (relative to the slice) to mark.
 */
export interface WindowPayload {
  s: number
  x?: string
  t?: number
  o?: number
  n?: number
  mk?: number[]
}

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** Most re-encoded / sampled tokens shown around a BPE drift. */
const BPE_REGION = 160

export function buildPayload(analysis: DriftAnalysis): ReportPayload {
  let max = 0
  for (const t of analysis.trajectories) for (const id of t.tokenIds) if (id > max) max = id
  for (const id of Object.keys(analysis.pieces)) max = Math.max(max, Number(id))
  const width = max < 64 ** 3 ? 3 : max < 64 ** 4 ? 4 : 5
  const encode = (ids: readonly number[]): string => encodeIds(ids, width)

  const rollouts: string[] = []
  const rolloutRef = interner(rollouts)
  const rollout = (id: string | undefined): number => (id === undefined ? -1 : rolloutRef(id))

  const callsByTrajectory = new Map<number, number[]>()
  const responseStart = new Map<string, number>()
  for (const t of analysis.trajectories) {
    for (const r of t.responses) responseStart.set(`${t.index}:${r.callIndex}`, r.start)
  }
  const refs = new WindowRefs(analysis.trajectories, encode)
  const texts: string[] = []
  const text = interner(texts)
  const c = analysis.calls.map((call, position) => {
    const t = call.trajectoryIndex ?? -1
    if (t >= 0) {
      const list = callsByTrajectory.get(t)
      if (list) list.push(position)
      else callsByTrajectory.set(t, [position])
    }
    const start = responseStart.get(`${t}:${call.callIndex}`) ?? -1
    return callPayload(call, rollout(call.rolloutId), t, start, refs, text)
  })
  const t = analysis.trajectories.map((traj, i) =>
    trajectoryPayload(traj, analysis.trajectories[i - 1], rollout(traj.rolloutId), callsByTrajectory, encode)
  )
  const v: ReportPayload['v'] = {}
  for (const [id, piece] of Object.entries(analysis.pieces)) {
    const shown = displayPiece(piece)
    v[id] = shown === piece ? piece : [shown, piece]
  }
  return { w: width, v, r: rollouts, s: texts, t, c }
}

function trajectoryPayload(
  traj: DriftTrajectory,
  previous: DriftTrajectory | undefined,
  rollout: number,
  callsByTrajectory: ReadonlyMap<number, number[]>,
  encode: (ids: readonly number[]) => string
): TrajectoryPayload {
  // GRPO groups and split episodes repeat long prompts: store what the previous trajectory already holds once.
  const shared = previous ? commonPrefix(previous.tokenIds, traj.tokenIds) : 0
  const out: TrajectoryPayload = {
    r: rollout,
    k: traj.callIndices,
    x: encode(shared > 0 ? traj.tokenIds.slice(shared) : traj.tokenIds),
    m: runLengths(traj.lossMask),
    d: traj.drifted,
    rw: traj.rewritten,
    cs: callsByTrajectory.get(traj.index) ?? [],
  }
  if (shared > 0 && previous) out.b = [previous.index, shared]
  if (traj.endedBy) out.e = [traj.endedBy.callIndex, traj.endedBy.index, traj.endedBy.cause]
  return out
}

function callPayload(
  call: CallDrift,
  rollout: number,
  trajectory: number,
  start: number,
  refs: WindowRefs,
  text: (value: string) => number
): CallPayload {
  const out: CallPayload = {
    r: rollout,
    i: call.invocationIndex ?? null,
    k: call.callIndex,
    a: call.attempt ?? null,
    s: call.status,
    f: call.finishReason,
    p: call.promptLength,
    n: call.sampledLength,
    l: call.logprobs ? [call.logprobs.count, round(call.logprobs.mean), round(call.logprobs.min)] : null,
    t: trajectory,
    o: start,
  }
  const bpe = call.bpe
  if (bpe?.drifted) {
    out.b = {
      h: [
        bpe.firstDivergence ?? 0,
        bpe.driftedIndices.original.length,
        bpe.textStable ? 0 : 1,
        bpe.createdSpecialIds.length > 0 ? 1 : 0,
      ],
      a: region(bpe.original.ids, bpe.driftedIndices.original, refs, trajectory, start),
      z: region(bpe.reencoded.ids, bpe.driftedIndices.reencoded, refs, -1, 0),
      eos: call.strippedEos,
    }
  }
  const r = call.rerender
  if (r) {
    out.e = {
      prev: r.previousCallIndex,
      at: r.index,
      off: r.generatedOffset,
      cause: text(r.cause),
      lost: r.sampledLost,
      detail: text(r.detail),
      // previous prompt + sampled ids end the trajectory before this call's; this prompt starts its own
      held: refs.window(r.held.start, r.held.ids, trajectory - 1, 0),
      rendered: refs.window(r.rendered.start, r.rendered.ids, trajectory, 0),
    }
  }
  if (call.extendsPrevious !== null) out.x = call.extendsPrevious ? 1 : 0
  return out
}

/** The changed positions with a few tokens of context, at most `BPE_REGION` tokens. */
function region(
  ids: readonly number[],
  changed: readonly number[],
  refs: WindowRefs,
  trajectory: number,
  offset: number
): WindowPayload {
  const first = changed[0] ?? 0
  const last = changed[changed.length - 1] ?? first
  const from = Math.max(0, first - 4)
  const to = Math.min(ids.length, Math.min(last + 5, from + BPE_REGION))
  const w = refs.window(from, ids.slice(from, to), trajectory, offset)
  w.mk = changed.filter((i) => i >= from && i < to).map((i) => i - from)
  return w
}

/** Windows point into a trajectory when it holds exactly those ids at that place; otherwise they are inlined. */
class WindowRefs {
  constructor(
    private readonly trajectories: readonly DriftTrajectory[],
    private readonly encode: (ids: readonly number[]) => string
  ) {}

  /** `ids`, numbered from `start`, expected at `offset + start` of trajectory `t`. */
  window(start: number, ids: readonly number[], t: number, offset: number): WindowPayload {
    const held = t >= 0 ? this.trajectories[t]?.tokenIds : undefined
    const o = offset + start
    if (held && o >= 0 && ids.every((id, i) => held[o + i] === id)) return { s: start, t, o, n: ids.length }
    return { s: start, x: this.encode(ids) }
  }
}

function encodeIds(ids: readonly number[], width: number): string {
  const out = new Array<string>(ids.length)
  for (let i = 0; i < ids.length; i++) {
    let n = ids[i] as number
    let s = ''
    for (let k = 0; k < width; k++) {
      s = DIGITS[n & 63] + s
      n = Math.floor(n / 64)
    }
    out[i] = s
  }
  return out.join('')
}

function runLengths(mask: readonly number[]): number[] {
  const runs: number[] = []
  let current = 0
  let length = 0
  for (const m of mask) {
    const bit = m ? 1 : 0
    if (bit === current) length++
    else {
      runs.push(length)
      current = bit
      length = 1
    }
  }
  runs.push(length)
  return runs
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a[i] === b[i]) i++
  return i
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** Puts each distinct value in `list` once and returns its index: the payload names repeated strings by index. */
function interner(list: string[]): (value: string) => number {
  const index = new Map<string, number>()
  return (value) => {
    let i = index.get(value)
    if (i === undefined) {
      i = list.push(value) - 1
      index.set(value, i)
    }
    return i
  }
}
