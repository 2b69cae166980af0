import { readFile, writeFile } from 'node:fs/promises'
import type { TitoReason, TitoReasonCode, TitoStatus, TopLogprob } from '@strands-vllm/model'
import { isNonNegativeInteger } from '@strands-vllm/model/internal'
import { type CallLink, linkCalls } from './build-trajectories.js'
import type { TitoCallRecord, TitoPause, TitoTokenIn, TokenInRenderReason } from './call-record.js'
import { DIVERGENCE_CAUSES, type DivergenceCause } from './divergence.js'
import { TitoJsonlError } from './errors.js'
import { sha256TokenIds } from './sha256.js'
import { isTokenId, MAX_TOKEN_ID } from './token-id.js'

export const TITO_CALL_SCHEMA = 'tito-call/1'

/** The builder's verdict on one call, as written in `checks.prefix`. */
export interface TitoJsonlPrefix {
  /** `superseded`: replaced by a later retry of the same prompt; `excluded`: left out by the builder. */
  relation: CallLink['relation'] | 'excluded' | 'superseded'
  previous_call: number | null
  diverge_at: number | null
  cause: DivergenceCause | null
  bridge_len: number | null
}

/**
 * One line of the canonical JSONL: one model call (snake_case, schema-versioned). Keys marked optional were
 * added after the first release; readers accept records without them.
 */
export interface TitoJsonlRecord {
  schema: typeof TITO_CALL_SCHEMA
  rollout_id: string | null
  /** The session key sent with the request (null: none sent). */
  session_id?: string | null
  call_index: number
  invocation_index: number
  attempt: number
  server: { model: string | null }
  request: {
    sampling: Record<string, unknown>
    mode?: 'chat' | 'token-in'
    transport?: 'stream' | 'json'
    token_in?: {
      prompt: TitoTokenIn['prompt']
      render_reason: TitoTokenIn['renderReason']
      renderer: TitoTokenIn['renderer']
      bridge_length: number | null
      synthesized_close: boolean
      previous_length: number | null
    }
  }
  response: {
    id: string | null
    finish_reason: string | null
    stop_reason: number | string | null
    agent_stop_reason: string | null
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null
    tool_calls: Array<{ id: string; name: string }>
    error: { name: string; message: string } | null
    pauses?: Array<{ status: number; retry_after_ms: number; waited_ms: number; reason: string | null }>
  }
  tokens: {
    prompt_ids: number[] | null
    completion_ids: number[] | null
    completion_logprobs: number[] | null
    /** The server's token text of each logprob entry (aligned with `completion_ids`). */
    completion_logprob_tokens?: string[] | null
    completion_top_logprobs?: Array<Array<{ token: string; logprob: number }>> | null
    prompt_sha256: string | null
    completion_sha256: string | null
  }
  checks: {
    tito_status: TitoStatus
    reasons: Array<{ code: TitoReasonCode; message: string }>
    prefix: TitoJsonlPrefix
  }
  timing: { start_ms: number; first_byte_ms: number | null; end_ms: number }
}

/** Something the reader repaired or skipped instead of failing (only ever for records that are not `exact`). */
export interface TitoJsonlWarning {
  /** 1-based line number. */
  line: number
  message: string
}

export interface ParseTitoJsonlOptions {
  /** Receives every repair and skipped line (default: `console.warn` with the line number). */
  onWarning?: (warning: TitoJsonlWarning) => void
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * The form of a call the JSONL can vouch for: ids that are not token ids are dropped, logprobs (and their token
 * texts / top alternatives) that are not one finite number per id are dropped, and an `exact` call that needed
 * either becomes `incomplete` with the reason. The writer applies it, so it never writes what its reader rejects;
 * a record the recorder made from a correct wire passes unchanged.
 */
export function canonicalTitoCall(call: TitoCallRecord): TitoCallRecord {
  const out: TitoCallRecord = { ...call }
  const downgrade: TitoReason[] = []
  const dropIds = (key: 'promptTokenIds' | 'tokenIds', code: TitoReasonCode, what: string) => {
    const ids = out[key]
    if (!ids || ids.every(isTokenId)) return
    delete out[key]
    downgrade.push({ code, message: `${what} held values that are not token ids (0 … ${MAX_TOKEN_ID}); dropped` })
  }
  dropIds('promptTokenIds', 'prompt_ids_invalid', 'prompt_token_ids')
  dropIds('tokenIds', 'token_ids_invalid', 'token_ids')
  const ids = out.tokenIds
  if (out.logprobs) {
    if (!ids || out.logprobs.length !== ids.length) {
      downgrade.push({
        code: 'logprobs_misaligned',
        message: `${out.logprobs.length} logprobs for ${ids?.length ?? 0} token ids; dropped, never paired with ids`,
      })
      delete out.logprobs
    } else if (!out.logprobs.every(isFiniteNumber)) {
      downgrade.push({ code: 'logprobs_invalid', message: 'logprobs held values that are not finite numbers; dropped' })
      delete out.logprobs
    }
  }
  if (!out.logprobs) {
    delete out.logprobTokens
    delete out.topLogprobs
  } else {
    if (out.logprobTokens && out.logprobTokens.length !== out.logprobs.length) delete out.logprobTokens
    if (out.topLogprobs && !alignedTopLogprobs(out.topLogprobs, out.logprobs.length)) delete out.topLogprobs
  }
  if (downgrade.length > 0) {
    out.reasons = [...call.reasons, ...downgrade]
    if (out.status === 'exact') out.status = 'incomplete'
  }
  if (out.status === 'exact' && (!out.promptTokenIds || !out.tokenIds)) {
    out.status = out.promptTokenIds || out.tokenIds ? 'incomplete' : 'missing'
    out.reasons = [
      ...out.reasons,
      { code: out.promptTokenIds ? 'token_ids_missing' : 'prompt_ids_missing', message: 'exact call without ids' },
    ]
  }
  return out
}

function alignedTopLogprobs(tops: readonly TopLogprob[][], n: number): boolean {
  return (
    tops.length === n &&
    tops.every(
      (row) => Array.isArray(row) && row.every((t) => typeof t?.token === 'string' && isFiniteNumber(t.logprob))
    )
  )
}

/** Convert recorded calls to canonical records; the prefix check is the builder's (`split` policy). */
export function toTitoRecords(calls: readonly TitoCallRecord[]): TitoJsonlRecord[] {
  const canonical = calls.map(canonicalTitoCall)
  const { calls: links, excluded } = linkCalls(canonical)
  const byPosition = new Map(links.map((l) => [l.position, l]))
  const superseded = new Set(excluded.filter((e) => e.supersededBy !== undefined).map((e) => e.position))
  return canonical.map((call, i) => toTitoRecord(call, prefixOf(byPosition.get(i), superseded.has(i))))
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

/** `checks.prefix` for a call the builder linked, left out, or replaced by a retry. */
export function prefixOf(link: CallLink | undefined, superseded: boolean): TitoJsonlPrefix {
  return link
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
      }
}

/**
 * Parse and validate canonical JSONL (schema, types, SHA-256 of every id array, logprob counts).
 * `exact` records are checked strictly, as is the JSON itself: anything wrong throws `TitoJsonlError` naming the
 * line. A record that is not `exact` is never trusted for training, so a bad field there is dropped (ids that fail
 * their hash, misaligned logprobs, a malformed usage…) and reported through `onWarning`, and the line is kept.
 * A torn last line (no final newline: a writer killed mid-line) is skipped with a warning; earlier lines stay.
 */
export function parseTitoJsonl(text: string, options: ParseTitoJsonlOptions = {}): TitoJsonlRecord[] {
  const warn = options.onWarning ?? ((w: TitoJsonlWarning) => console.warn(`tito JSONL line ${w.line}: ${w.message}`))
  const out: TitoJsonlRecord[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      if (i === lines.length - 1) {
        warn({ line: i + 1, message: 'incomplete last line (no final newline: the writer stopped mid-line); skipped' })
        continue
      }
      throw new TitoJsonlError(`not valid JSON (${(error as Error).message})`, i + 1)
    }
    out.push(validateRecord(value, i + 1, warn))
  }
  return out
}

export async function readTitoJsonl(path: string, options: ParseTitoJsonlOptions = {}): Promise<TitoJsonlRecord[]> {
  return parseTitoJsonl(await readFile(path, 'utf8'), options)
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
    if (r.tokens.completion_logprob_tokens) call.logprobTokens = r.tokens.completion_logprob_tokens
    if (r.tokens.completion_top_logprobs) call.topLogprobs = r.tokens.completion_top_logprobs
    if (r.response.agent_stop_reason !== null) call.agentStopReason = r.response.agent_stop_reason
    if (r.response.error) call.error = r.response.error
    if (r.request.mode !== undefined) call.mode = r.request.mode
    if (r.request.transport !== undefined) call.transport = r.request.transport
    if (r.session_id !== undefined) call.sessionId = r.session_id
    if (r.response.pauses) {
      call.pauses = r.response.pauses.map(
        (p): TitoPause => ({
          status: p.status,
          retryAfterMs: p.retry_after_ms,
          waitedMs: p.waited_ms,
          reason: p.reason,
        })
      )
    }
    const ti = r.request.token_in
    if (ti) {
      call.tokenIn = {
        prompt: ti.prompt,
        renderReason: ti.render_reason,
        renderer: ti.renderer,
        bridgeLength: ti.bridge_length,
        synthesizedClose: ti.synthesized_close,
        previousLength: ti.previous_length,
      }
    }
    return call
  })
}

/** One call as a canonical record (the caller canonicalizes it and computes its prefix check). */
export function toTitoRecord(call: TitoCallRecord, prefix: TitoJsonlPrefix): TitoJsonlRecord {
  const prompt = call.promptTokenIds ?? null
  const completion = call.tokenIds ?? null
  const record: TitoJsonlRecord = {
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
      prefix,
    },
    timing: { start_ms: call.timing.startMs, first_byte_ms: call.timing.firstByteMs, end_ms: call.timing.endMs },
  }
  if (call.sessionId !== undefined) record.session_id = call.sessionId
  if (call.mode !== undefined) record.request.mode = call.mode
  if (call.transport !== undefined) record.request.transport = call.transport
  if (call.tokenIn) {
    const t = call.tokenIn
    record.request.token_in = {
      prompt: t.prompt,
      render_reason: t.renderReason,
      renderer: t.renderer,
      bridge_length: t.bridgeLength,
      synthesized_close: t.synthesizedClose,
      previous_length: t.previousLength,
    }
  }
  if (call.pauses) {
    record.response.pauses = call.pauses.map((p) => ({
      status: p.status,
      retry_after_ms: p.retryAfterMs,
      waited_ms: p.waitedMs,
      reason: p.reason,
    }))
  }
  if (call.logprobTokens) record.tokens.completion_logprob_tokens = call.logprobTokens
  if (call.topLogprobs) {
    record.tokens.completion_top_logprobs = call.topLogprobs.map((row) =>
      row.map((t) => ({ token: t.token, logprob: t.logprob }))
    )
  }
  return record
}

/** The keys of a record that must name every member of `T`: the compiler keeps these lists in step with the types. */
const every = <T extends string>(members: Record<T, true>): readonly string[] => Object.keys(members)

const STATUSES = every<TitoStatus>({ exact: true, incomplete: true, missing: true })
const RELATIONS = every<TitoJsonlPrefix['relation']>({
  first: true,
  extends: true,
  retry: true,
  diverged: true,
  rebased: true,
  excluded: true,
  superseded: true,
})
const CAUSES: readonly string[] = DIVERGENCE_CAUSES
const TOKEN_IN_PROMPTS = every<TitoTokenIn['prompt']>({ rendered: true, extended: true, retry: true })
const RENDER_REASONS = every<TokenInRenderReason>({
  first_call: true,
  messages_reset: true,
  history_changed: true,
  tools_changed: true,
  system_changed: true,
  template_changed: true,
  previous_not_extendable: true,
})

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStrOrNull = (v: unknown): boolean => v === null || typeof v === 'string'
const isIntOrNull = (v: unknown): boolean => v === null || isNonNegativeInteger(v)

/**
 * Validate one parsed line. Identity (schema, call/invocation index, attempt, status) and JSON structure are
 * always strict; every other field is strict for `exact` records and repaired (dropped to its empty value, with a
 * warning) for the others.
 */
function validateRecord(value: unknown, line: number, warn: (w: TitoJsonlWarning) => void): TitoJsonlRecord {
  const fail = (message: string): never => {
    throw new TitoJsonlError(message, line)
  }
  if (!isObj(value)) return fail('record must be an object')
  const r = value
  if (r.schema !== TITO_CALL_SCHEMA)
    fail(`unsupported schema ${JSON.stringify(r.schema)} (expected "${TITO_CALL_SCHEMA}")`)
  for (const key of ['call_index', 'invocation_index', 'attempt']) {
    if (!isNonNegativeInteger(r[key])) fail(`${key} must be a non-negative integer`)
  }
  if (!isObj(r.checks)) return fail('checks must be an object')
  const checks = r.checks
  const status = checks.tito_status
  if (typeof status !== 'string' || !STATUSES.includes(status))
    fail(`checks.tito_status must be one of ${STATUSES.join(', ')}`)
  const strict = status === 'exact'
  /** Strict: throw. Otherwise: warn and repair. */
  const bad = (message: string, repair: () => void, repaired: string): void => {
    if (strict) fail(message)
    repair()
    warn({ line, message: `${message}; ${repaired} (the record is "${status}", so it is kept)` })
  }
  const objAt = (parent: Obj, key: string, path: string, empty: () => Obj): Obj => {
    if (!isObj(parent[key])) bad(`${path} must be an object`, () => (parent[key] = empty()), 'replaced by an empty one')
    return parent[key] as Obj
  }
  const nullable = (parent: Obj, key: string, path: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(parent[key])) bad(`${path} must be ${what}`, () => (parent[key] = null), 'set to null')
  }
  const optional = (parent: Obj, key: string, path: string, ok: (v: unknown) => boolean, what: string) => {
    if (key in parent && !ok(parent[key])) bad(`${path} must be ${what}`, () => delete parent[key], 'dropped')
  }

  nullable(r, 'rollout_id', 'rollout_id', isStrOrNull, 'a string or null')
  optional(r, 'session_id', 'session_id', isStrOrNull, 'a string or null')
  const server = objAt(r, 'server', 'server', () => ({ model: null }))
  nullable(server, 'model', 'server.model', isStrOrNull, 'a string or null')
  const request = objAt(r, 'request', 'request', () => ({ sampling: {} }))
  if (!isObj(request.sampling)) bad('request.sampling must be an object', () => (request.sampling = {}), 'emptied')
  optional(request, 'mode', 'request.mode', (v) => v === 'chat' || v === 'token-in', '"chat" or "token-in"')
  optional(request, 'transport', 'request.transport', (v) => v === 'stream' || v === 'json', '"stream" or "json"')
  optional(request, 'token_in', 'request.token_in', isTokenInRecord, 'a token-in object')

  const response = objAt(r, 'response', 'response', () => ({ tool_calls: [] }))
  nullable(response, 'id', 'response.id', isStrOrNull, 'a string or null')
  nullable(response, 'finish_reason', 'response.finish_reason', isStrOrNull, 'a string or null')
  nullable(
    response,
    'stop_reason',
    'response.stop_reason',
    (v) => isStrOrNull(v) || isFiniteNumber(v),
    'a number, a string or null'
  )
  nullable(response, 'agent_stop_reason', 'response.agent_stop_reason', isStrOrNull, 'a string or null')
  nullable(
    response,
    'usage',
    'response.usage (or null)',
    (v) =>
      v === null ||
      (isObj(v) && ['prompt_tokens', 'completion_tokens', 'total_tokens'].every((k) => isNonNegativeInteger(v[k]))),
    'an object of non-negative integer prompt_tokens, completion_tokens and total_tokens'
  )
  if (!Array.isArray(response.tool_calls)) {
    bad('response.tool_calls must be an array', () => (response.tool_calls = []), 'emptied')
  }
  const toolCalls = response.tool_calls as unknown[]
  toolCalls.forEach((t, i) => {
    if (!isObj(t)) bad(`response.tool_calls[${i}] must be an object`, () => undefined, 'dropped')
    else if (typeof t.id !== 'string') bad(`response.tool_calls[${i}].id must be a string`, () => undefined, 'dropped')
    else if (typeof t.name !== 'string')
      bad(`response.tool_calls[${i}].name must be a string`, () => undefined, 'dropped')
  })
  response.tool_calls = toolCalls.filter((t) => isObj(t) && typeof t.id === 'string' && typeof t.name === 'string')
  const error = response.error
  if (error !== null) {
    const message = !isObj(error)
      ? 'response.error (or null) must be an object'
      : typeof error.name !== 'string'
        ? 'response.error.name must be a string'
        : typeof error.message !== 'string'
          ? 'response.error.message must be a string'
          : undefined
    if (message) bad(message, () => (response.error = null), 'set to null')
  }
  optional(response, 'pauses', 'response.pauses', isPauses, 'an array of pauses')

  const tokens = objAt(r, 'tokens', 'tokens', () => ({}))
  const dropIds = (name: 'prompt' | 'completion', message: string) =>
    bad(
      message,
      () => {
        tokens[`${name}_ids`] = null
        tokens[`${name}_sha256`] = null
      },
      `${name}_ids dropped (untrusted)`
    )
  for (const name of ['prompt', 'completion'] as const) {
    const list = tokens[`${name}_ids`]
    if (list === undefined)
      tokens[`${name}_ids`] = strict ? fail(`tokens.${name}_ids must be an array of token ids or null`) : null
    else if (list !== null) {
      if (!Array.isArray(list)) dropIds(name, `tokens.${name}_ids must be an array of token ids or null`)
      else {
        const at = list.findIndex((id) => !isTokenId(id))
        if (at !== -1) dropIds(name, `tokens.${name}_ids[${at}] is not a token id: ${String(list[at])}`)
      }
    }
    const ids = tokens[`${name}_ids`] as number[] | null
    const sha = tokens[`${name}_sha256`]
    if (ids ? sha !== sha256TokenIds(ids) : sha !== null && sha !== undefined) {
      if (ids) dropIds(name, `tokens.${name}_sha256 does not match ${name}_ids`)
      else
        bad(
          `tokens.${name}_sha256 must be null when ${name}_ids is null`,
          () => (tokens[`${name}_sha256`] = null),
          'set to null'
        )
    }
    if (tokens[`${name}_sha256`] === undefined) tokens[`${name}_sha256`] = null
  }
  const completion = tokens.completion_ids as number[] | null
  const logprobs = tokens.completion_logprobs
  if (logprobs === undefined) tokens.completion_logprobs = null
  else if (logprobs !== null) {
    const dropLogprobs = (message: string) =>
      bad(message, () => (tokens.completion_logprobs = null), 'logprobs dropped (never paired with shifted ids)')
    if (!Array.isArray(logprobs) || !logprobs.every(isFiniteNumber)) {
      dropLogprobs('tokens.completion_logprobs must be an array of finite numbers or null')
    } else if (!completion || logprobs.length !== completion.length) {
      dropLogprobs(`tokens.completion_logprobs has ${logprobs.length} entries for ${completion?.length ?? 0} ids`)
    }
  }
  const lpCount = Array.isArray(tokens.completion_logprobs) ? tokens.completion_logprobs.length : -1
  optional(
    tokens,
    'completion_logprob_tokens',
    'tokens.completion_logprob_tokens',
    (v) => v === null || (Array.isArray(v) && v.length === lpCount && v.every((t) => typeof t === 'string')),
    'one string per logprob, or null'
  )
  optional(
    tokens,
    'completion_top_logprobs',
    'tokens.completion_top_logprobs',
    (v) => v === null || (Array.isArray(v) && alignedTopLogprobs(v as TopLogprob[][], lpCount)),
    'one list of {token, logprob} per logprob, or null'
  )
  if (status === 'exact' && (!tokens.prompt_ids || !tokens.completion_ids)) {
    fail('checks.tito_status is "exact" but tokens.prompt_ids or tokens.completion_ids is null')
  }

  if (!Array.isArray(checks.reasons)) bad('checks.reasons must be an array', () => (checks.reasons = []), 'emptied')
  const reasons = checks.reasons as unknown[]
  reasons.forEach((x, i) => {
    if (!isObj(x)) bad(`checks.reasons[${i}] must be an object`, () => undefined, 'dropped')
    else if (typeof x.code !== 'string') bad(`checks.reasons[${i}].code must be a string`, () => undefined, 'dropped')
    else if (typeof x.message !== 'string')
      bad(`checks.reasons[${i}].message must be a string`, () => undefined, 'dropped')
  })
  checks.reasons = reasons.filter((x) => isObj(x) && typeof x.code === 'string' && typeof x.message === 'string')
  const prefix = checks.prefix
  const prefixOk =
    isObj(prefix) &&
    typeof prefix.relation === 'string' &&
    RELATIONS.includes(prefix.relation) &&
    isIntOrNull(prefix.previous_call) &&
    isIntOrNull(prefix.diverge_at) &&
    isIntOrNull(prefix.bridge_len) &&
    (prefix.cause === null || (typeof prefix.cause === 'string' && CAUSES.includes(prefix.cause)))
  if (!prefixOk) {
    const message = !isObj(prefix)
      ? 'checks.prefix must be an object'
      : typeof prefix.relation !== 'string' || !RELATIONS.includes(prefix.relation)
        ? `checks.prefix.relation must be one of ${RELATIONS.join(', ')}`
        : prefix.cause !== null && !CAUSES.includes(String(prefix.cause))
          ? `checks.prefix.cause (or null) must be one of ${CAUSES.join(', ')}`
          : 'checks.prefix.previous_call, diverge_at and bridge_len must be non-negative integers or null'
    bad(message, () => (checks.prefix = prefixOf(undefined, false)), 'reset to "excluded"')
  }

  const timing = objAt(r, 'timing', 'timing', () => ({ start_ms: 0, first_byte_ms: null, end_ms: 0 }))
  for (const key of ['start_ms', 'end_ms']) {
    if (!isFiniteNumber(timing[key])) bad(`timing.${key} must be a finite number`, () => (timing[key] = 0), 'set to 0')
  }
  if (timing.first_byte_ms !== null && !isFiniteNumber(timing.first_byte_ms)) {
    bad('timing.first_byte_ms (or null) must be a finite number', () => (timing.first_byte_ms = null), 'set to null')
  }
  return r as unknown as TitoJsonlRecord
}

function isTokenInRecord(v: unknown): boolean {
  return (
    isObj(v) &&
    typeof v.prompt === 'string' &&
    TOKEN_IN_PROMPTS.includes(v.prompt) &&
    (v.render_reason === null || (typeof v.render_reason === 'string' && RENDER_REASONS.includes(v.render_reason))) &&
    (v.renderer === 'server' || v.renderer === 'local') &&
    isIntOrNull(v.bridge_length) &&
    typeof v.synthesized_close === 'boolean' &&
    isIntOrNull(v.previous_length)
  )
}

function isPauses(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.every(
      (p) =>
        isObj(p) &&
        Number.isInteger(p.status) &&
        isFiniteNumber(p.retry_after_ms) &&
        isFiniteNumber(p.waited_ms) &&
        isStrOrNull(p.reason)
    )
  )
}
