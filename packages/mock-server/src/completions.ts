import { randomUUID } from 'node:crypto'
import { QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { stopStrings } from './chat-completions.js'
import { checkContextLength } from './context-length.js'
import { badRequest, MockVLLMRequestError } from './errors.js'
import type { Exchange } from './exchange.js'
import { applyFinishFault, type Generation, generateIds, renderAssistantText } from './generate.js'
import { completionLogprobs, logprobValues, promptLogprobs, pyLen } from './logprob-views.js'
import { policyContext } from './policies/context.js'
import { promptConversation } from './prompt-conversation.js'
import {
  checkIntegerField,
  checkLogprobCounts,
  checkMaxLogprobs,
  checkN,
  checkStreamOptions,
} from './request-checks.js'
import { SseWriter } from './sse.js'
import { streamUsage, usageOf } from './stream-usage.js'
import type { ChatCompletionRequest, PolicyOutput } from './types.js'
import { requestValidationError } from './validation-error.js'

interface CompletionRequest {
  model?: string
  prompt?: unknown
  max_tokens?: number | null
  n?: number
  stream?: boolean
  stream_options?: { include_usage?: boolean | null; continuous_usage_stats?: boolean | null } | null
  /** An integer here (`true` is coerced to 1, as pydantic does). */
  logprobs?: number | boolean | null
  return_token_ids?: boolean | null
  add_special_tokens?: boolean
  skip_special_tokens?: boolean
  stop_token_ids?: number[]
  echo?: boolean
  prompt_logprobs?: number | null
  seed?: number
  [key: string]: unknown
}

/** vLLM's default `max_tokens` for completions (OpenAI's legacy default). */
const DEFAULT_MAX_TOKENS = 16

/**
 * `POST /v1/completions` with a string or token-id prompt (the universal token-in path). Both id fields sit inside
 * each choice, `logprobs` is an integer, and nothing is parsed (no tool calls, no reasoning split), as in vLLM.
 * The policy sees the conversation read back from the prompt, so it answers as it would in chat mode.
 */
export async function completions(ex: Exchange): Promise<void> {
  const { config } = ex
  const body = validate(ex)
  const fromText = typeof body.prompt === 'string' || (Array.isArray(body.prompt) && typeof body.prompt[0] === 'string')
  const promptIds = promptTokenIds(ex, body.prompt, body.add_special_tokens ?? true)
  ex.record.promptTokenIds = promptIds
  const logprobs = body.logprobs == null ? null : Number(body.logprobs)
  checkMaxLogprobs(logprobs, body.prompt_logprobs, config.maxLogprobs)
  const maxTokens = checkContextLength(
    {
      inputTokens: promptIds.length,
      maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
      maxModelLen: config.maxModelLen,
      fromText,
    },
    ex.faults
  )
  const conversation = promptConversation(config.tokenizer.decode(promptIds))
  const chatBody: ChatCompletionRequest = {
    messages: conversation.messages,
    tools: conversation.tools,
    chat_template_kwargs: { enable_thinking: conversation.thinking },
    ...(body.seed === undefined ? {} : { seed: body.seed }),
  }
  const n = checkN(body.n)
  const count = n === 1 && ex.faults.has('choice-index') ? 2 : n
  const gens: Generation[] = []
  for (let index = 0; index < count; index++) {
    const ctx = policyContext(chatBody, conversation, config.seed, index)
    let output: PolicyOutput
    try {
      output = await config.policy(ctx)
      const gen = generateIds(config.tokenizer, renderAssistantText(output, ctx.thinking, config.toolFormat), output, {
        maxTokens,
        stopTokenIds: body.stop_token_ids,
        stop: stopStrings(body.stop),
        includeStopStrInOutput: body.include_stop_str_in_output === true,
        skipSpecialTokens: body.skip_special_tokens ?? true,
        eosId: QWEN3_TOKENS.imEnd,
      })
      gens.push(applyFinishFault(gen, ex.faults, QWEN3_TOKENS.imEnd))
    } catch (error) {
      if (MockVLLMRequestError.isInstance(error)) throw error
      throw new MockVLLMRequestError(500, `mock policy failed: ${(error as Error)?.message ?? String(error)}`)
    }
  }
  ex.recordChoices(
    gens.map((g, index) => ({
      index,
      tokenIds: [],
      generatedTokenIds: g.ids,
      logprobs: logprobValues(config.seed, g.ids),
      finishReason: g.finishReason,
    }))
  )
  if (body.stream) await stream(ex, body, logprobs, promptIds, gens)
  else respond(ex, body, logprobs, promptIds, gens)
}

function validate(ex: Exchange): CompletionRequest {
  const body = ex.requestBody<CompletionRequest>()
  checkIntegerField(body, 'max_tokens')
  checkLogprobCounts(body, 'logprobs', false)
  checkStreamOptions(body)
  const prompt = body.prompt
  if (prompt == null || prompt === '') {
    throw requestValidationError('Either prompt or prompt_embeds must be provided and non-empty.', body, {
      param: 'prompt',
    })
  }
  if (body.echo) throw badRequest('mock vLLM: `echo` is not supported', 'echo')
  return body
}

/** A string (tokenized) or one list of ids (used as-is, no BOS). Batches are refused. */
function promptTokenIds(ex: Exchange, prompt: unknown, addSpecialTokens: boolean): number[] {
  if (typeof prompt === 'string') return ex.config.tokenizer.encode(prompt, { addSpecialTokens })
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((id) => Number.isInteger(id))) {
    for (const id of prompt as number[]) {
      if (id < 0 || ex.config.tokenizer.idToToken(id) === undefined) {
        throw badRequest(`Token id ${id} is out of vocabulary`, 'prompt')
      }
    }
    return [...(prompt as number[])]
  }
  if (Array.isArray(prompt) && prompt.length > 1)
    throw badRequest('mock vLLM: batched prompts are not supported', 'prompt')
  if (Array.isArray(prompt) && prompt.length === 1) return promptTokenIds(ex, prompt[0], addSpecialTokens)
  throw badRequest('prompt must be a string or a non-empty list of token ids', 'prompt')
}

const head = (ex: Exchange): Record<string, unknown> => ({
  id: `cmpl-${randomUUID().replaceAll('-', '')}`,
  object: 'text_completion',
  created: Math.floor(Date.now() / 1000),
  model: ex.config.modelId,
})

function respond(
  ex: Exchange,
  body: CompletionRequest,
  logprobs: number | null,
  promptIds: number[],
  gens: Generation[]
): void {
  const withIds = body.return_token_ids === true
  const completionTokens = gens.reduce((sum, g) => sum + g.ids.length, 0)
  const misaligned = ex.faults.has('logprobs-misaligned')
  const prompt = body.prompt_logprobs == null ? null : promptLogprobs(ex.config, promptIds, body.prompt_logprobs)
  ex.sendJson(200, {
    ...head(ex),
    choices: gens.map((g, index) => {
      if (withIds) ex.record.choices?.[index]?.tokenIds.push(...g.ids)
      return {
        index,
        text: g.pieces.join(''),
        logprobs:
          logprobs === null ? null : shifted(completionLogprobs(ex.config, g.ids, logprobs), misaligned && index === 0),
        finish_reason: g.finishReason,
        stop_reason: g.stopReason,
        token_ids: withIds ? g.ids : null,
        prompt_logprobs: prompt,
        prompt_token_ids: withIds && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
        routed_experts: null,
      }
    }),
    service_tier: null,
    system_fingerprint: null,
    usage: { ...usageOf(promptIds.length, completionTokens), prompt_tokens_details: null },
    kv_transfer_params: null,
    ec_transfer_params: null,
    metrics: null,
  })
}

/** `logprobs-misaligned` on a JSON body: every list shifted by one, so entry i describes id i + 1. */
function shifted(view: Record<string, unknown>, apply: boolean): Record<string, unknown> {
  if (!apply) return view
  const out: Record<string, unknown> = {}
  for (const [key, list] of Object.entries(view)) {
    const items = list as unknown[]
    out[key] = items.length < 2 ? items : [...items.slice(1), items.at(-1)]
  }
  return out
}

async function stream(
  ex: Exchange,
  body: CompletionRequest,
  logprobs: number | null,
  promptIds: number[],
  gens: Generation[]
): Promise<void> {
  const sse = new SseWriter(ex)
  const withIds = body.return_token_ids === true
  const interval = Math.max(
    1,
    Math.floor(typeof body.stream_interval === 'number' ? body.stream_interval : ex.config.streamInterval)
  )
  const usage = streamUsage(body.stream_options)
  const misaligned = ex.faults.has('logprobs-misaligned')
  const chunkHead = head(ex)
  const sent = gens.map(() => 0)
  // `text_offset` of each id, once per choice (summing the prefix per chunk would be quadratic in the length).
  const textOffsets = gens.map((g) => {
    const offsets = [0]
    for (const piece of g.pieces) offsets.push(offsets[offsets.length - 1]! + pyLen(piece))
    return offsets
  })
  const steps = Math.max(...gens.map((g) => Math.max(1, Math.ceil(g.ids.length / interval))))
  for (let step = 0; step < steps; step++) {
    for (const [index, g] of gens.entries()) {
      const start = step * interval
      if (start >= g.ids.length && !(start === 0 && g.ids.length === 0)) continue
      const ids = g.ids.slice(start, start + interval)
      const pieces = g.pieces.slice(start, start + interval)
      const last = start + interval >= g.ids.length
      sent[index] = (sent[index] ?? 0) + ids.length
      let lp: Record<string, unknown> | null = null
      if (logprobs !== null) {
        // `logprobs-misaligned`: the first chunk carries one entry too few, the second one too many.
        const shift = misaligned && index === 0 && g.ids.length > interval ? (step === 0 ? -1 : step === 1 ? 1 : 0) : 0
        const lpIds = shift === -1 ? ids.slice(0, -1) : shift === 1 ? [g.ids[start - 1] as number, ...ids] : ids
        const lpStart = shift === 1 ? start - 1 : start
        lp = completionLogprobs(ex.config, lpIds, logprobs, lpStart, textOffsets[index]![lpStart]!)
      }
      const choice = {
        index,
        text: pieces.join(''),
        logprobs: lp,
        finish_reason: last ? g.finishReason : null,
        stop_reason: last ? g.stopReason : null,
        prompt_token_ids: withIds && step === 0 && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
        token_ids: withIds ? ids : null,
      }
      const chunk: Record<string, unknown> = { ...chunkHead, choices: [choice] }
      if (usage.continuous) chunk.usage = usageOf(promptIds.length, sent[index] ?? 0)
      if (!(await sse.send(chunk))) return
      if (withIds) ex.record.choices?.[index]?.tokenIds.push(...ids)
    }
  }
  const total = sent.reduce((a, b) => a + b, 0)
  if (usage.include && !(await sse.send({ ...chunkHead, choices: [], usage: usageOf(promptIds.length, total) }))) return
  await sse.finish()
}
