import { readFile, writeFile } from 'node:fs/promises'
import type { TitoReason, TitoReasonCode, TitoStatus } from '@strands-vllm/model'
import { buildTrajectories, type CallLink } from './build-trajectories.js'
import type { TitoCallRecord } from './call-record.js'
import { DIVERGENCE_CAUSES, type DivergenceCause } from './divergence.js'
import { TitoJsonlError } from './errors.js'
import { sha256TokenIds } from './sha256.js'

export const TITO_CALL_SCHEMA = 'tito-call/1'

/** One line of the canonical JSONL: one model call (snake_case, schema-versioned). */
export interface TitoJsonlRecord {
  schema: typeof TITO_CALL_SCHEMA
  rollout_id: string | null
  call_index: number
  invocation_index: number
  attempt: number
  server: { model: string | null }
  request: { sampling: Record<string, unknown> }
  response: {
    id: string | null
    finish_reason: string | null
    stop_reason: number | string | null
    agent_stop_reason: string | null
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null
    tool_calls: Array<{ id: string; name: string }>
    error: { name: string; message: string } | null
  }
  tokens: {
    prompt_ids: number[] | null
    completion_ids: number[] | null
    completion_logprobs: number[] | null
    prompt_sha256: string | null
    completion_sha256: string | null
  }
  checks: {
    tito_status: TitoStatus
    reasons: Array<{ code: TitoReasonCode; message: string }>
    prefix: {
      /** `superseded`: replaced by a later retry of the same prompt; `excluded`: left out by the builder. */
      relation: CallLink['relation'] | 'excluded' | 'superseded'
      previous_call: number | null
      diverge_at: number | null
      cause: DivergenceCause | null
      bridge_len: number | null
    }
  }
  timing: { start_ms: number; first_byte_ms: number | null; end_ms: number }
}

/** Convert recorded calls to canonical records; the prefix check is the builder's (`split` policy). */
export function toTitoRecords(calls: readonly TitoCallRecord[]): TitoJsonlRecord[] {
  const { calls: links, excluded } = buildTrajectories(calls)
  const byIndex = new Map(links.map((l) => [l.callIndex, l]))
  const superseded = new Set(excluded.filter((e) => e.supersededBy !== undefined).map((e) => e.callIndex))
  return calls.map((call) => toRecord(call, byIndex.get(call.callIndex), superseded.has(call.callIndex)))
}

/** The canonical JSONL text (one line per call, newline-terminated). */
export function toTitoJsonl(calls: readonly TitoCallRecord[]): string {
  return toTitoRecords(calls)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('')
}

export async function writeTitoJsonl(path: string, calls: readonly TitoCallRecord[]): Promise<void> {
  await writeFile(path, toTitoJsonl(calls), 'utf8')
}

/** Parse and validate canonical JSONL (schema, types, SHA-256 of every id array, logprob counts). */
export function parseTitoJsonl(text: string): TitoJsonlRecord[] {
  const out: TitoJsonlRecord[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      throw new TitoJsonlError(`not valid JSON (${(error as Error).message})`, i + 1)
    }
    out.push(validateRecord(value, i + 1))
  }
  return out
}

export async function readTitoJsonl(path: string): Promise<TitoJsonlRecord[]> {
  return parseTitoJsonl(await readFile(path, 'utf8'))
}

/** Turn canonical records back into recorder-history entries (for `buildTrajectories` and the drift tools). */
export function fromTitoRecords(records: readonly TitoJsonlRecord[]): TitoCallRecord[] {
  return records.map((r) => {
    const call: TitoCallRecord = {
      callIndex: r.call_index,
      invocationIndex: r.invocation_index,
      attempt: r.attempt,
      status: r.checks.tito_status,
      reasons: r.checks.reasons.map((x): TitoReason => ({ code: x.code, message: x.message })),
      finishReason: r.response.finish_reason,
      stopReason: r.response.stop_reason,
      usage: r.response.usage && {
        promptTokens: r.response.usage.prompt_tokens,
        completionTokens: r.response.usage.completion_tokens,
        totalTokens: r.response.usage.total_tokens,
      },
      responseId: r.response.id,
      model: r.server.model,
      sampling: r.request.sampling,
      toolUses: r.response.tool_calls.map((t) => ({ id: t.id, name: t.name })),
      timing: { startMs: r.timing.start_ms, firstByteMs: r.timing.first_byte_ms, endMs: r.timing.end_ms },
    }
    if (r.rollout_id !== null) call.rolloutId = r.rollout_id
    if (r.tokens.prompt_ids) call.promptTokenIds = r.tokens.prompt_ids
    if (r.tokens.completion_ids) call.tokenIds = r.tokens.completion_ids
    if (r.tokens.completion_logprobs) call.logprobs = r.tokens.completion_logprobs
    if (r.response.agent_stop_reason !== null) call.agentStopReason = r.response.agent_stop_reason
    if (r.response.error) call.error = r.response.error
    return call
  })
}

function toRecord(call: TitoCallRecord, link: CallLink | undefined, superseded: boolean): TitoJsonlRecord {
  const prompt = call.promptTokenIds ?? null
  const completion = call.tokenIds ?? null
  return {
    schema: TITO_CALL_SCHEMA,
    rollout_id: call.rolloutId ?? null,
    call_index: call.callIndex,
    invocation_index: call.invocationIndex,
    attempt: call.attempt,
    server: { model: call.model },
    request: { sampling: call.sampling },
    response: {
      id: call.responseId,
      finish_reason: call.finishReason,
      stop_reason: call.stopReason,
      agent_stop_reason: call.agentStopReason ?? null,
      usage: call.usage && {
        prompt_tokens: call.usage.promptTokens,
        completion_tokens: call.usage.completionTokens,
        total_tokens: call.usage.totalTokens,
      },
      tool_calls: call.toolUses.map((t) => ({ id: t.id, name: t.name })),
      error: call.error ?? null,
    },
    tokens: {
      prompt_ids: prompt,
      completion_ids: completion,
      completion_logprobs: call.logprobs ?? null,
      prompt_sha256: prompt && sha256TokenIds(prompt),
      completion_sha256: completion && sha256TokenIds(completion),
    },
    checks: {
      tito_status: call.status,
      reasons: call.reasons.map((r) => ({ code: r.code, message: r.message })),
      prefix: link
        ? {
            relation: link.relation,
            previous_call: link.previousCallIndex,
            diverge_at: link.divergeAt,
            cause: link.cause,
            bridge_len: link.bridgeLength,
          }
        : {
            relation: superseded ? 'superseded' : 'excluded',
            previous_call: null,
            diverge_at: null,
            cause: null,
            bridge_len: null,
          },
    },
    timing: { start_ms: call.timing.startMs, first_byte_ms: call.timing.firstByteMs, end_ms: call.timing.endMs },
  }
}

const STATUSES: readonly string[] = ['exact', 'incomplete', 'missing']
const RELATIONS: readonly string[] = ['first', 'extends', 'retry', 'diverged', 'rebased', 'excluded', 'superseded']
const CAUSES: readonly string[] = DIVERGENCE_CAUSES
/** `TokenManager` stores ids in an `Int32Array`. */
const MAX_TOKEN_ID = 0x7fffffff

function validateRecord(value: unknown, line: number): TitoJsonlRecord {
  const fail = (message: string): never => {
    throw new TitoJsonlError(message, line)
  }
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(`${path} must be an object`)
  const int = (v: unknown, path: string): number =>
    Number.isInteger(v) && (v as number) >= 0 ? (v as number) : fail(`${path} must be a non-negative integer`)
  const intOrNull = (v: unknown, path: string): void => {
    if (v !== null) int(v, `${path} (or null)`)
  }
  const str = (v: unknown, path: string): void => {
    if (typeof v !== 'string') fail(`${path} must be a string`)
  }
  const strOrNull = (v: unknown, path: string): void => {
    if (v !== null && typeof v !== 'string') fail(`${path} must be a string or null`)
  }
  const num = (v: unknown, path: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path} must be a finite number`)
  }
  const oneOf = (v: unknown, allowed: readonly string[], path: string): void => {
    if (typeof v !== 'string' || !allowed.includes(v)) fail(`${path} must be one of ${allowed.join(', ')}`)
  }
  const ids = (v: unknown, path: string): number[] | null => {
    if (v === null) return null
    if (!Array.isArray(v)) return fail(`${path} must be an array of token ids or null`)
    for (let i = 0; i < v.length; i++) {
      const id = v[i]
      if (!Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) fail(`${path}[${i}] is not a token id: ${String(id)}`)
    }
    return v as number[]
  }
  const r = obj(value, 'record')
  if (r.schema !== TITO_CALL_SCHEMA)
    fail(`unsupported schema ${JSON.stringify(r.schema)} (expected "${TITO_CALL_SCHEMA}")`)
  int(r.call_index, 'call_index')
  int(r.invocation_index, 'invocation_index')
  int(r.attempt, 'attempt')
  strOrNull(r.rollout_id, 'rollout_id')
  strOrNull(obj(r.server, 'server').model, 'server.model')
  obj(obj(r.request, 'request').sampling, 'request.sampling')

  const response = obj(r.response, 'response')
  strOrNull(response.id, 'response.id')
  strOrNull(response.finish_reason, 'response.finish_reason')
  if (response.stop_reason !== null && typeof response.stop_reason !== 'string') {
    if (typeof response.stop_reason !== 'number' || !Number.isFinite(response.stop_reason))
      fail('response.stop_reason must be a number, a string or null')
  }
  strOrNull(response.agent_stop_reason, 'response.agent_stop_reason')
  if (response.usage !== null) {
    const usage = obj(response.usage, 'response.usage (or null)')
    for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens']) int(usage[k], `response.usage.${k}`)
  }
  if (!Array.isArray(response.tool_calls)) fail('response.tool_calls must be an array')
  ;(response.tool_calls as unknown[]).forEach((t, i) => {
    const call = obj(t, `response.tool_calls[${i}]`)
    str(call.id, `response.tool_calls[${i}].id`)
    str(call.name, `response.tool_calls[${i}].name`)
  })
  if (response.error !== null) {
    const error = obj(response.error, 'response.error (or null)')
    str(error.name, 'response.error.name')
    str(error.message, 'response.error.message')
  }

  const tokens = obj(r.tokens, 'tokens')
  const prompt = ids(tokens.prompt_ids, 'tokens.prompt_ids')
  const completion = ids(tokens.completion_ids, 'tokens.completion_ids')
  for (const [name, list] of [
    ['prompt', prompt],
    ['completion', completion],
  ] as const) {
    const sha = tokens[`${name}_sha256`]
    if (list ? sha !== sha256TokenIds(list) : sha !== null) {
      fail(
        list
          ? `tokens.${name}_sha256 does not match ${name}_ids`
          : `tokens.${name}_sha256 must be null when ${name}_ids is null`
      )
    }
  }
  const logprobs = tokens.completion_logprobs
  if (logprobs !== null) {
    if (!Array.isArray(logprobs) || logprobs.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      fail('tokens.completion_logprobs must be an array of finite numbers or null')
    }
    if (!completion || (logprobs as number[]).length !== completion.length) {
      fail(`tokens.completion_logprobs has ${(logprobs as number[]).length} entries for ${completion?.length ?? 0} ids`)
    }
  }

  const checks = obj(r.checks, 'checks')
  oneOf(checks.tito_status, STATUSES, 'checks.tito_status')
  if (checks.tito_status === 'exact' && (!prompt || !completion)) {
    fail('checks.tito_status is "exact" but tokens.prompt_ids or tokens.completion_ids is null')
  }
  if (!Array.isArray(checks.reasons)) fail('checks.reasons must be an array')
  ;(checks.reasons as unknown[]).forEach((x, i) => {
    const reason = obj(x, `checks.reasons[${i}]`)
    str(reason.code, `checks.reasons[${i}].code`)
    str(reason.message, `checks.reasons[${i}].message`)
  })
  const prefix = obj(checks.prefix, 'checks.prefix')
  oneOf(prefix.relation, RELATIONS, 'checks.prefix.relation')
  intOrNull(prefix.previous_call, 'checks.prefix.previous_call')
  intOrNull(prefix.diverge_at, 'checks.prefix.diverge_at')
  intOrNull(prefix.bridge_len, 'checks.prefix.bridge_len')
  if (prefix.cause !== null) oneOf(prefix.cause, CAUSES, 'checks.prefix.cause (or null)')

  const timing = obj(r.timing, 'timing')
  num(timing.start_ms, 'timing.start_ms')
  num(timing.end_ms, 'timing.end_ms')
  if (timing.first_byte_ms !== null) num(timing.first_byte_ms, 'timing.first_byte_ms (or null)')
  return r as unknown as TitoJsonlRecord
}
