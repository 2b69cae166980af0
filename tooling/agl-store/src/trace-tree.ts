import { randomBytes } from 'node:crypto'
import { AglAdapterError } from './errors.js'
import { isRewardSpan, rewardValue } from './rewards.js'
import type { StoreSpan } from './span.js'

export type RewardMatchPolicy = 'first_occurrence' | 'first_sibling'

const AGL_VIRTUAL = 'agentlightning.virtual'

/** A span and its children, as v0.3's `TraceTree` builds it from a flat span list. */
export class TraceTree {
  constructor(
    readonly id: string,
    readonly span: StoreSpan,
    readonly children: TraceTree[] = []
  ) {}

  get startTime(): number | null {
    return this.span.start_time
  }
  get endTime(): number | null {
    return this.span.end_time
  }

  /**
   * Children under their parents; a parent id that is not among the spans becomes a virtual span spanning its
   * children; several roots hang under one `virtual-root`.
   */
  static fromSpans(spans: readonly StoreSpan[]): TraceTree {
    if (spans.length === 0) throw new AglAdapterError('No spans provided to create TraceTree.')
    const byId = new Map(spans.map((s) => [s.span_id, s]))
    const forward = new Map<string, string[]>()
    const roots: string[] = []
    for (const span of spans) {
      if (span.parent_id === null) roots.push(span.span_id)
      else {
        const siblings = forward.get(span.parent_id)
        if (siblings) siblings.push(span.span_id)
        else forward.set(span.parent_id, [span.span_id])
      }
    }
    for (const parent of forward.keys()) if (!byId.has(parent)) roots.push(parent)

    const visit = (id: string): TraceTree => {
      const children = (forward.get(id) ?? []).map(visit)
      const span = byId.get(id)
      if (span) return new TraceTree(id, span, children)
      const first = children[0]!.span
      return new TraceTree(
        id,
        virtualSpan(first, {
          span_id: id,
          start_time: minOf(children.map((c) => c.startTime)),
          end_time: maxOf(children.map((c) => c.endTime)),
        }),
        children
      )
    }
    if (roots.length === 1) return visit(roots[0]!)
    if (roots.length === 0) throw new AglAdapterError('No root spans found in the trace.')
    const trees = roots.map(visit)
    const root = virtualSpan(trees[0]!.span, {
      name: 'virtual-root',
      span_id: randomBytes(8).toString('hex'),
      start_time: trees[0]!.startTime,
      end_time: trees.at(-1)!.endTime,
    })
    return new TraceTree('virtual-root', root, trees)
  }

  /** This node and every descendant, depth first. */
  traverse(): TraceTree[] {
    const out: TraceTree[] = [this]
    for (const child of this.children) out.push(...child.traverse())
    return out
  }

  /** The agent name a framework put on the span (`agent.name` first; not Strands' `gen_ai.agent.name`). */
  agentName(): string | undefined {
    const a = this.span.attributes
    const text = (key: string): string | undefined => {
      const v = a[key]
      return v === undefined || v === null ? undefined : (v as string)
    }
    const direct = text('agent.name')
    if (direct !== undefined) return direct
    if (a['agentops.span.kind'] === 'agent') {
      const op = text('operation.name')
      if (op !== undefined) return op
    }
    for (const key of ['recipient_agent_type', 'langchain.chain.type', 'executor.id']) {
      const v = text(key)
      if (v !== undefined) return v
    }
    if (a.type === 'agent') {
      const v = text('agentlightning.operation.input.name')
      if (v !== undefined) return v
    }
    if (this.span.name.startsWith('langchain.Chain.')) return text('lc_name')
    return undefined
  }

  /**
   * Re-parents the root's children under the tightest other span that encloses them in time (frameworks that
   * trace through several systems leave LLM spans floating under the root). A root with one child passes the
   * repair down to it.
   */
  repairHierarchy(): void {
    if (this.children.length === 1) {
      this.children[0]!.repairHierarchy()
      return
    }
    for (const node of [...this.children]) {
      if (this.children.length === 1) break
      let closest: TraceTree | undefined
      let closestDelta = Number.POSITIVE_INFINITY
      for (const candidate of this.traverse()) {
        if (candidate.id === node.id || candidate === this) continue
        const [cs, ce, ns, ne] = times(candidate, node)
        if (cs <= ns && ce >= ne) {
          const delta = ce - ne + ns - cs
          if (delta > 0 && delta < closestDelta) {
            closestDelta = delta
            closest = candidate
          }
        }
      }
      if (closest) {
        this.children.splice(this.children.indexOf(node), 1)
        closest.children.push(node)
      }
    }
  }

  /** Matching LLM-call spans in depth-first order, each with the agent subtree label it matched under. */
  findLlmCalls(options: {
    llmCallMatch: RegExp
    agentMatch: RegExp | null
    withinMatchingSubtree: string | null
    withinReward: boolean | null
    withinLlmCall: boolean | null
    seenResponseIds: Set<string>
    warn: (message: string) => void
  }): Array<{ node: TraceTree; agentName: string }> {
    const calls: Array<{ node: TraceTree; agentName: string }> = []
    let { withinMatchingSubtree, withinReward, withinLlmCall } = options
    let isCall = withinMatchingSubtree !== null && withinReward !== true && options.llmCallMatch.test(this.span.name)
    if (isCall) {
      const responseId = stringAttribute(
        this.span,
        ['gen_ai.response.id', 'agentlightning.operation.output.id'],
        options.warn
      )
      if (responseId === null && withinLlmCall === true) isCall = false
      if (responseId !== null && options.seenResponseIds.has(responseId)) isCall = false
      if (isCall) {
        calls.push({ node: this, agentName: withinMatchingSubtree as string })
        if (responseId !== null) options.seenResponseIds.add(responseId)
        if (withinLlmCall !== null) withinLlmCall = true
      }
    }
    const agent = this.agentName()
    if (agent !== undefined) {
      withinMatchingSubtree = options.agentMatch === null || options.agentMatch.test(agent) ? agent : null
    }
    if (withinReward !== null && isRewardSpan(this.span)) withinReward = true
    for (const child of this.children) {
      calls.push(...child.findLlmCalls({ ...options, withinMatchingSubtree, withinReward, withinLlmCall }))
    }
    return calls
  }

  /**
   * Rewards to LLM calls. `first_occurrence`: in start-time order, each reward goes to the latest call that ended
   * before the reward started and has none yet. `first_sibling`: the same among one parent's children.
   */
  matchRewards(policy: RewardMatchPolicy, llmCalls: readonly TraceTree[]): Map<string, number | null> {
    const callIds = new Set(llmCalls.map((c) => c.id))
    const rewards = new Map<string, number | null>()
    const assign = (candidates: Array<[string, number]>, reward: TraceTree, value: number | null): void => {
      const start = time(reward.startTime, reward)
      for (let i = candidates.length - 1; i >= 0; i--) {
        const [id, end] = candidates[i]!
        if (end > start) continue
        if (rewards.has(id)) continue
        rewards.set(id, value)
        break
      }
    }
    if (policy === 'first_occurrence') {
      const ordered = [...this.traverse()].sort((x, y) => time(x.startTime, x) - time(y.startTime, y))
      const candidates: Array<[string, number]> = []
      for (const item of ordered) {
        if (callIds.has(item.id)) candidates.push([item.id, time(item.endTime, item)])
        const value = rewardValue(item.span)
        if (value !== undefined && value !== null) assign(candidates, item, value)
      }
    } else {
      for (const item of this.traverse()) {
        const candidates: Array<[string, number]> = []
        for (const child of item.children) {
          if (callIds.has(child.id)) candidates.push([child.id, time(child.endTime, child)])
          const value = rewardValue(child.span)
          if (value !== undefined && value !== null) assign(candidates, child, value)
        }
      }
    }
    return rewards
  }
}

function virtualSpan(
  like: StoreSpan,
  fields: { span_id: string; start_time: number | null; end_time: number | null; name?: string }
): StoreSpan {
  return {
    rollout_id: like.rollout_id,
    attempt_id: like.attempt_id,
    sequence_id: like.sequence_id,
    trace_id: like.trace_id,
    span_id: fields.span_id,
    parent_id: null,
    name: fields.name ?? AGL_VIRTUAL,
    status: { status_code: 'OK', description: null },
    attributes: {},
    events: [],
    links: [],
    start_time: fields.start_time,
    end_time: fields.end_time,
    resource: { attributes: {}, schema_url: '' },
  }
}

function minOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : Math.min(...known)
}

function maxOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : Math.max(...known)
}

/** A timestamp the adapter compares; Python fails on a missing one, so does this. */
function time(value: number | null, node: TraceTree): number {
  if (value === null) throw new AglAdapterError(`span ${node.span.name} (${node.id}) has no start or end time`)
  return value
}

function times(a: TraceTree, b: TraceTree): [number, number, number, number] {
  return [time(a.startTime, a), time(a.endTime, a), time(b.startTime, b), time(b.endTime, b)]
}

/** First of `keys` holding a string; a non-string value is warned about and skipped. */
export function stringAttribute(
  span: StoreSpan,
  keys: readonly string[],
  warn: (message: string) => void
): string | null {
  for (const key of keys) {
    if (!(key in span.attributes)) continue
    const value = span.attributes[key]
    if (typeof value === 'string') return value
    warn(`Attribute ${key} is found but is not a string: ${JSON.stringify(value)}`)
  }
  return null
}
