import type { AglEvent, JsonObject, JsonValue, TripletData } from './types.js'
import { isObject, pyTruthy as truthy } from './validation.js'

/**
 * `GET /api/rollouts/{id}/events?format=triplet`, from `routes/events.py`: `model_request` events shrink to their
 * ids and logprobs, `reward` events to `value` (+ `source`, `reason`), others pass unchanged; then `model_request`
 * events with identical `prompt_token_ids` collapse to the last one (a retried call keeps its final answer).
 */
export function toTripletEvents(events: readonly AglEvent[]): AglEvent[] {
  return dedupeByPromptTokenIds(events.map(toTripletEvent))
}

function toTripletEvent(event: AglEvent): AglEvent {
  if (event.event_type === 'model_request')
    return { ...event, data: trimModelRequest(event.data) as unknown as JsonObject }
  if (event.event_type === 'reward') return { ...event, data: trimReward(event.data) }
  return event
}

/** Python's `dict.get(key, default)`: the default only when the key is absent (an explicit null stays null). */
function get(obj: JsonValue | undefined, key: string, fallback: JsonValue): JsonValue {
  return isObject(obj) && key in obj ? (obj[key] as JsonValue) : fallback
}

export function trimModelRequest(data: JsonObject): TripletData {
  const resp = data.response
  let promptTokenIds: JsonValue = []
  let responseTokenIds: JsonValue = []
  let responseLogProbs: number[] | null = null
  if (isObject(resp)) {
    promptTokenIds = get(resp, 'prompt_token_ids', [])
    const choices = get(resp, 'choices', [])
    const first = Array.isArray(choices) ? choices[0] : undefined
    if (truthy(choices) && first !== undefined) {
      if (!truthy(promptTokenIds)) promptTokenIds = get(first, 'prompt_token_ids', [])
      responseTokenIds = get(first, 'token_ids', [])
      responseLogProbs = choiceLogProbs(first)
    }
  } else if (Array.isArray(resp)) {
    // Raw SSE chunks: the legacy shape a client may still post as a model_request event.
    const collected: JsonValue[] = []
    for (const chunk of resp) {
      const ids = get(chunk, 'prompt_token_ids', null)
      if (!truthy(promptTokenIds) && truthy(ids)) promptTokenIds = ids
      const choices = get(chunk, 'choices', [])
      if (Array.isArray(choices) && choices.length > 0) {
        const tids = get(choices[0], 'token_ids', null)
        if (Array.isArray(tids) && tids.length > 0) collected.push(...tids)
      }
    }
    responseTokenIds = collected
  }
  const server = get(data, 'server', {})
  const trimmed: TripletData = {
    prompt_token_ids: promptTokenIds,
    response_token_ids: responseTokenIds,
    response_log_probs: responseLogProbs,
    server: { model: get(server, 'model', null), version: get(server, 'version', null) },
  }
  if ('http_status' in data) trimmed.http_status = data.http_status as JsonValue
  if ('status' in data) trimmed.status = data.status as JsonValue
  if (isObject(resp) && 'error' in resp) trimmed.error = resp.error as JsonValue
  return trimmed
}

/** Chosen-token logprobs of one choice; null when missing, of an unknown schema, or any value is not finite. */
export function choiceLogProbs(choice: JsonValue): number[] | null {
  const lp = get(choice, 'logprobs', null)
  if (!isObject(lp)) return null
  let raw: JsonValue[]
  if (Array.isArray(lp.content)) {
    raw = []
    for (const item of lp.content) {
      if (!isObject(item) || !('logprob' in item)) return null
      raw.push(item.logprob as JsonValue)
    }
  } else if (Array.isArray(lp.token_logprobs)) {
    raw = lp.token_logprobs
  } else {
    return null
  }
  const out: number[] = []
  for (const value of raw) {
    const f = pyFloat(value)
    if (f === undefined || !Number.isFinite(f)) return null
    out.push(f)
  }
  return out
}

/** Python's `float(v)`: numbers, booleans and numeric strings (`"nan"`, `"-inf"` included); else undefined. */
function pyFloat(value: JsonValue): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase().replaceAll('_', '')
    if (/^[+-]?(nan|inf|infinity)$/.test(s))
      return s.includes('nan') ? Number.NaN : s.startsWith('-') ? -Infinity : Infinity
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return Number(s)
  }
  return undefined
}

function trimReward(data: JsonObject): JsonObject {
  const trimmed: JsonObject = { value: get(data, 'value', null) }
  for (const key of ['source', 'reason']) if (key in data) trimmed[key] = data[key] as JsonValue
  return trimmed
}

function dedupeByPromptTokenIds(events: readonly AglEvent[]): AglEvent[] {
  const lastIndexByPrompt = new Map<string, number>()
  events.forEach((event, index) => {
    if (event.event_type !== 'model_request') return
    const ids = get(event.data, 'prompt_token_ids', [])
    lastIndexByPrompt.set(Array.isArray(ids) ? JSON.stringify(ids) : '[]', index)
  })
  const keep = new Set(lastIndexByPrompt.values())
  return events.filter((event, index) => event.event_type !== 'model_request' || keep.has(index))
}
