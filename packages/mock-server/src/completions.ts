import { randomUUID } from 'node:crypto'
import { QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { stopStrings } from './chat-completions.js'
import { parseChatMlPrompt } from './chatml.js'
import { checkContextLength } from './context-length.js'
import { badRequest, VLLMRequestError } from './errors.js'
import type { Exchange } from './exchange.js'
import { type Generation, generateIds, renderAssistantText } from './generate.js'
import { completionLogprobs, logprobValues } from './logprob-views.js'
import { policyContext } from './policies/context.js'
import { SseWriter } from './sse.js'
import type { ChatCompletionRequest, PolicyOutput } from './types.js'

interface CompletionRequest {
  model?: string
  prompt?: unknown
  max_tokens?: number | null
  n?: number
  stream?: boolean
  stream_options?: { include_usage?: boolean } | null
  logprobs?: number | null
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
 * `POST /v1/completions` with a string or token-id prompt. Both id fields sit inside each choice, `logprobs`
 * is an integer, and nothing is parsed (no tool calls, no reasoning split), as in vLLM.
 */
export async function completions(ex: Exchange): Promise<void> {
  const { config } = ex
  const body = validate(ex)
  const promptIds = promptTokenIds(ex, body.prompt, body.add_special_tokens ?? true)
  ex.record.promptTokenIds = promptIds
  const maxTokens = checkContextLength(
    promptIds.length,
    body.max_tokens ?? DEFAULT_MAX_TOKENS,
    config.maxModelLen,
    ex.faults
  )
  const parsed = parseChatMlPrompt(config.tokenizer.decode(promptIds))
  const chatBody: ChatCompletionRequest = {
    messages: parsed.messages,
    tools: parsed.tools,
    chat_template_kwargs: { enable_thinking: parsed.thinking },
    ...(body.seed === undefined ? {} : { seed: body.seed }),
  }
  const gens: Generation[] = []
  for (let index = 0; index < (body.n ?? 1); index++) {
    const ctx = policyContext(chatBody, config.seed, index)
    let output: PolicyOutput
    try {
      output = await config.policy(ctx)
      gens.push(
        generateIds(config.tokenizer, renderAssistantText(output, ctx.thinking), output, {
          maxTokens,
          stopTokenIds: body.stop_token_ids,
          stop: stopStrings(body.stop),
          includeStopStrInOutput: body.include_stop_str_in_output === true,
          skipSpecialTokens: body.skip_special_tokens ?? true,
          eosId: QWEN3_TOKENS.imEnd,
        })
      )
    } catch (error) {
      if (VLLMRequestError.isInstance(error)) throw error
      throw new VLLMRequestError(500, `mock policy failed: ${(error as Error)?.message ?? String(error)}`)
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
  if (body.stream) await stream(ex, body, promptIds, gens)
  else respond(ex, body, promptIds, gens)
}

function validate(ex: Exchange): CompletionRequest {
  const body = ex.requestBody<CompletionRequest>()
  if (body.stream_options != null && !body.stream)
    throw badRequest('Stream options can only be defined when `stream=True`.')
  if (body.prompt_logprobs != null && body.stream)
    throw badRequest('`prompt_logprobs` are not available when `stream=True`.')
  if (body.echo) throw badRequest('mock vLLM: `echo` is not supported', 'echo')
  if (body.logprobs != null && (!Number.isInteger(body.logprobs) || body.logprobs < 0)) {
    throw badRequest('`logprobs` must be a non-negative integer for completions', 'logprobs')
  }
  if ((body.logprobs ?? 0) > ex.config.maxLogprobs) {
    throw badRequest(
      `Requested sample logprobs of ${body.logprobs}, which is greater than max allowed: ${ex.config.maxLogprobs}`
    )
  }
  if (body.max_tokens != null && (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)) {
    throw badRequest(`max_tokens must be at least 1, got ${body.max_tokens}.`, 'max_tokens')
  }
  const n = body.n ?? 1
  if (!Number.isInteger(n) || n < 1) throw badRequest(`n must be at least 1, got ${n}.`, 'n')
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

const head = (ex: Exchange, object: string): Record<string, unknown> => ({
  id: `cmpl-${randomUUID().replaceAll('-', '')}`,
  object,
  created: Math.floor(Date.now() / 1000),
  model: ex.config.modelId,
})

function respond(ex: Exchange, body: CompletionRequest, promptIds: number[], gens: Generation[]): void {
  const withIds = body.return_token_ids === true
  const completionTokens = gens.reduce((sum, g) => sum + g.ids.length, 0)
  ex.sendJson(200, {
    ...head(ex, 'text_completion'),
    choices: gens.map((g, index) => {
      if (withIds) ex.record.choices?.[index]?.tokenIds.push(...g.ids)
      return {
        index,
        text: g.pieces.join(''),
        logprobs: body.logprobs == null ? null : completionLogprobs(ex.config, g.ids, g.pieces, body.logprobs),
        finish_reason: g.finishReason,
        stop_reason: g.stopReason,
        prompt_logprobs: null,
        prompt_token_ids: withIds && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
        token_ids: withIds ? g.ids : null,
      }
    }),
    usage: {
      prompt_tokens: promptIds.length,
      total_tokens: promptIds.length + completionTokens,
      completion_tokens: completionTokens,
      prompt_tokens_details: null,
    },
    kv_transfer_params: null,
  })
}

async function stream(ex: Exchange, body: CompletionRequest, promptIds: number[], gens: Generation[]): Promise<void> {
  const sse = new SseWriter(ex)
  const withIds = body.return_token_ids === true
  const interval = Math.max(
    1,
    Math.floor(typeof body.stream_interval === 'number' ? body.stream_interval : ex.config.streamInterval)
  )
  const chunkHead = head(ex, 'text_completion')
  let generated = 0
  const steps = Math.max(...gens.map((g) => Math.ceil(g.ids.length / interval)))
  for (let step = 0; step < steps; step++) {
    for (const [index, g] of gens.entries()) {
      const start = step * interval
      if (start >= g.ids.length) continue
      const ids = g.ids.slice(start, start + interval)
      const pieces = g.pieces.slice(start, start + interval)
      const last = start + interval >= g.ids.length
      generated += ids.length
      const offset = g.pieces.slice(0, start).join('').length
      const choice = {
        index,
        text: pieces.join(''),
        logprobs:
          body.logprobs == null ? null : completionLogprobs(ex.config, ids, pieces, body.logprobs, start, offset),
        finish_reason: last ? g.finishReason : null,
        stop_reason: last ? g.stopReason : null,
        prompt_token_ids: withIds && step === 0 && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
        token_ids: withIds ? ids : null,
      }
      if (!(await sse.send({ ...chunkHead, choices: [choice] }))) return
      if (withIds) ex.record.choices?.[index]?.tokenIds.push(...ids)
    }
  }
  const includeUsage = body.stream_options ? (body.stream_options.include_usage ?? true) : false
  const usage = {
    prompt_tokens: promptIds.length,
    completion_tokens: generated,
    total_tokens: promptIds.length + generated,
  }
  if (includeUsage && !(await sse.send({ ...chunkHead, choices: [], usage }))) return
  await sse.finish()
}
