import { filterAndUnflatten, truthy } from './attributes.js'
import { AglAdapterError } from './errors.js'
import { hasDoubles } from './otlp-codec.js'
import type { AttributeValue, StoreSpan, Triplet } from './span.js'
import { type RewardMatchPolicy, stringAttribute, TraceTree } from './trace-tree.js'

/** v0.3's default: any span whose name *contains* this (a regex search, not a full match) is an LLM call. */
export const DEFAULT_LLM_CALL_MATCH = 'openai\\.chat\\.completion'

export interface TracerTraceToTripletOptions {
  /** Re-parent floating spans under the tightest enclosing span first. Default true. */
  repairHierarchy?: boolean
  /** Regex searched in span names (JavaScript syntax). Default {@link DEFAULT_LLM_CALL_MATCH}. */
  llmCallMatch?: string
  /** Only calls under an ancestor whose agent name (`agent.name`, …) this regex finds. Default: any. */
  agentMatch?: string | null
  /** Skip LLM-call spans under a reward span. Default true. */
  excludeLlmCallInReward?: boolean
  /** Default `first_occurrence`. */
  rewardMatch?: RewardMatchPolicy
  /** Drop calls with no prompt or response ids (v0.3's `_skip_empty_token_spans`). Default false. */
  skipEmptyTokenSpans?: boolean
  /** Where the adapter's warnings go (non-string ids, non-integer id lists…). Default: nowhere. */
  onWarning?: (message: string) => void
}

const PROMPT_ID_KEYS = ['prompt_token_ids', 'agentlightning.operation.output.prompt_token_ids']
const RESPONSE_ID_KEYS = [
  'response_token_ids',
  'agentlightning.operation.output.response_token_ids.0',
  'agentlightning.operation.output.choices.0.token_ids',
  'agentlightning.operation.output.choices.0.provider_specific_fields.token_ids',
]
const RESPONSE_ID = ['gen_ai.response.id', 'agentlightning.operation.output.id']

/**
 * v0.3's `TracerTraceToTriplet`, written from its behaviour: spans → tree → LLM calls (name regex, deduplicated by
 * `gen_ai.response.id`) → one triplet per call with its ids, raw content, metadata and `logprobs.content`, and the
 * rewards matched to calls. Like the original it reads neither the span status nor any `tito` status: a span that
 * must not become training data must not match `llmCallMatch`.
 */
export class TracerTraceToTriplet {
  private readonly options: Required<Omit<TracerTraceToTripletOptions, 'agentMatch'>> & { agentMatch: string | null }

  constructor(options: TracerTraceToTripletOptions = {}) {
    this.options = {
      repairHierarchy: options.repairHierarchy ?? true,
      llmCallMatch: options.llmCallMatch ?? DEFAULT_LLM_CALL_MATCH,
      agentMatch: options.agentMatch ?? null,
      excludeLlmCallInReward: options.excludeLlmCallInReward ?? true,
      rewardMatch: options.rewardMatch ?? 'first_occurrence',
      skipEmptyTokenSpans: options.skipEmptyTokenSpans ?? false,
      onWarning: options.onWarning ?? (() => {}),
    }
  }

  /** Throws {@link AglAdapterError} where v0.3 raises (no spans, a bare reward attribute, bad `logprobs.content`…). */
  adapt(spans: readonly StoreSpan[]): Triplet[] {
    const o = this.options
    const tree = TraceTree.fromSpans(spans)
    if (o.repairHierarchy) tree.repairHierarchy()
    const calls = tree.findLlmCalls({
      llmCallMatch: new RegExp(o.llmCallMatch),
      agentMatch: o.agentMatch === null ? null : new RegExp(o.agentMatch),
      withinMatchingSubtree: o.agentMatch === null ? '*' : null,
      withinReward: o.excludeLlmCallInReward ? false : null,
      withinLlmCall: false,
      seenResponseIds: new Set(),
      warn: o.onWarning,
    })
    const kept: Array<{ node: TraceTree; triplet: Triplet }> = []
    for (const { node, agentName } of calls) {
      const triplet = spanToTriplet(node.span, agentName, o.onWarning)
      if (o.skipEmptyTokenSpans && (triplet.prompt.token_ids.length === 0 || triplet.response.token_ids.length === 0)) {
        o.onWarning(`Skipping LLM call with unrecorded token IDs: ${node.span.name}`)
        continue
      }
      kept.push({ node, triplet })
    }
    const rewards = tree.matchRewards(
      o.rewardMatch,
      kept.map((k) => k.node)
    )
    return kept.map(({ node, triplet }) => ({ ...triplet, reward: rewards.get(node.id) ?? null }))
  }
}

/** One LLM-call span → a triplet (reward filled in later). */
export function spanToTriplet(span: StoreSpan, agentName: string, warn: (message: string) => void = () => {}): Triplet {
  const a = span.attributes
  const promptIds = idList(a, PROMPT_ID_KEYS, warn) ?? []
  const responseIds = idList(a, RESPONSE_ID_KEYS, warn) ?? []
  const responseId = stringAttribute(span, RESPONSE_ID, warn)
  const request = firstUnflattened(a, ['gen_ai.request', 'agentlightning.operation.input'])
  const response = firstUnflattened(a, ['gen_ai.response', 'agentlightning.operation.output'])
  if (isPlainObject(request)) delete request.messages
  if (isPlainObject(response)) {
    delete response.choices
    delete response.prompt_token_ids
    delete response.response_token_ids
  }
  const promptContent = firstUnflattened(a, ['gen_ai.prompt', 'agentlightning.operation.input.messages'])
  const completionContent = firstUnflattened(a, ['gen_ai.completion', 'agentlightning.operation.output.choices'])
  const triplet: Triplet = {
    prompt: { token_ids: promptIds, raw_content: promptContent, image_urls: imageUrls(promptContent) },
    response: { token_ids: responseIds, raw_content: completionContent },
    reward: null,
    metadata: { request, response, response_id: responseId, agent_name: agentName },
  }
  const logprobs = a['logprobs.content']
  if (typeof logprobs === 'string') {
    try {
      triplet.response.logprobs = JSON.parse(logprobs)
    } catch (error) {
      throw new AglAdapterError(`logprobs.content of span ${span.name} is not JSON: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  return triplet
}

/** First key holding a list of ints (ints, not doubles, as Python checks `isinstance(x, int)`). */
function idList(
  attributes: Record<string, AttributeValue>,
  keys: readonly string[],
  warn: (m: string) => void
): number[] | null {
  for (const key of keys) {
    if (!(key in attributes)) continue
    const value = attributes[key]
    if (
      Array.isArray(value) &&
      !hasDoubles(value) &&
      value.every((x) => typeof x === 'number' && Number.isInteger(x))
    ) {
      return [...(value as number[])]
    }
    warn(`Attribute ${key} is found but is not a list of integers: ${JSON.stringify(value)}`)
  }
  return null
}

function firstUnflattened(attributes: Record<string, AttributeValue>, prefixes: readonly string[]): AttributeValue {
  for (const prefix of prefixes) {
    const result = filterAndUnflatten(attributes, prefix)
    if (truthy(result)) return result
  }
  return null
}

function isPlainObject(value: AttributeValue): value is { [key: string]: AttributeValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `image_url` parts of the prompt messages, in order (message content may be a JSON string of parts). */
function imageUrls(promptContent: AttributeValue): string[] {
  let messages: AttributeValue[] = []
  if (Array.isArray(promptContent)) messages = promptContent
  else if (isPlainObject(promptContent)) {
    const numeric = Object.keys(promptContent).filter((k) => /^\d+$/.test(k))
    messages =
      numeric.length > 0
        ? numeric.sort((x, y) => Number(x) - Number(y)).map((k) => promptContent[k] as AttributeValue)
        : [promptContent]
  }
  const urls: string[] = []
  for (const message of messages) {
    if (!isPlainObject(message) || !('content' in message)) continue
    let content: unknown = message.content
    if (typeof content === 'string') {
      try {
        content = JSON.parse(content)
      } catch {
        continue
      }
    }
    if (!Array.isArray(content)) continue
    for (const part of content) {
      if (!isPlainObject(part as AttributeValue) || (part as { type?: unknown }).type !== 'image_url') continue
      const image = (part as { image_url?: unknown }).image_url
      if (isPlainObject(image as AttributeValue) && 'url' in (image as object))
        urls.push((image as { url: string }).url)
    }
  }
  return urls
}
