import { randomUUID } from 'node:crypto'
import { QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { checkContextLength } from './context-length.js'
import { badRequest, MockVLLMError, VLLMRequestError } from './errors.js'
import type { Exchange } from './exchange.js'
import { type Generation, generateIds, renderAssistantText } from './generate.js'
import { chatLogprobs, logprobValues } from './logprob-views.js'
import { messageParts, type OutputLayout, parseOutput, StreamingParser } from './output-parsers.js'
import { policyContext } from './policies/context.js'
import { pyJsonDumps } from './py-json.js'
import { renderPromptIds, templateInput } from './render-prompt.js'
import { SseWriter } from './sse.js'
import type { ChatCompletionRequest, PolicyOutput, RecordedChoice } from './types.js'

/** A generated choice and its parsed view. */
interface Choice extends Generation {
  index: number
  layout: OutputLayout
  finish: 'stop' | 'length' | 'tool_calls'
  record: RecordedChoice
}

/** `POST /v1/chat/completions`: render the prompt, ask the policy, then emulate vLLM's output path. */
export async function chatCompletions(ex: Exchange): Promise<void> {
  const { config } = ex
  const body = validate(ex)
  const input = templateInput(body)
  const promptIds = renderPromptIds(config.tokenizer, input)
  ex.record.promptTokenIds = promptIds
  const maxTokens = checkContextLength(
    promptIds.length,
    body.max_completion_tokens ?? body.max_tokens,
    config.maxModelLen,
    ex.faults
  )
  const n = body.n ?? 1
  const choices: Choice[] = []
  for (let index = 0; index < n; index++) choices.push(await generateChoice(ex, body, index, maxTokens))
  ex.recordChoices(choices.map((c) => c.record))
  if (body.stream) await streamChat(ex, body, promptIds, choices)
  else respond(ex, body, promptIds, choices)
}

function validate(ex: Exchange): ChatCompletionRequest {
  const body = ex.requestBody<ChatCompletionRequest>()
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw badRequest('Field required: messages', 'messages')
  if (body.stream_options != null && !body.stream)
    throw badRequest('Stream options can only be defined when `stream=True`.')
  if (body.prompt_logprobs != null && body.stream)
    throw badRequest('`prompt_logprobs` are not available when `stream=True`.')
  if (body.top_logprobs != null && body.top_logprobs > 0 && !body.logprobs) {
    throw badRequest('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs')
  }
  if ((body.top_logprobs ?? 0) > ex.config.maxLogprobs) {
    throw badRequest(
      `Requested top_logprobs of ${body.top_logprobs}, which is greater than max allowed: ${ex.config.maxLogprobs}`
    )
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxTokens != null && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw badRequest(`max_tokens must be at least 1, got ${maxTokens}.`, 'max_tokens')
  }
  const n = body.n ?? 1
  if (!Number.isInteger(n) || n < 1) throw badRequest(`n must be at least 1, got ${n}.`, 'n')
  const tools = body.tools
  if (body.tool_choice != null && body.tool_choice !== 'none' && !tools?.length) {
    throw badRequest('When using `tool_choice`, `tools` must be set.')
  }
  const choice = body.tool_choice ?? (tools?.length ? 'auto' : 'none')
  if (choice === 'auto' && ex.config.toolParser === null) {
    throw badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')
  }
  if (typeof choice === 'object' && !tools?.some((t) => t.function?.name === choice.function?.name)) {
    throw badRequest(`Tool '${choice.function?.name}' has not been passed in \`tools\`.`)
  }
  return body
}

async function generateChoice(
  ex: Exchange,
  body: ChatCompletionRequest,
  index: number,
  maxTokens: number
): Promise<Choice> {
  const { config } = ex
  const ctx = policyContext(body, config.seed, index)
  let output: PolicyOutput
  try {
    output = await config.policy(ctx)
  } catch (error) {
    throw new VLLMRequestError(500, `mock policy failed: ${(error as Error)?.message ?? String(error)}`)
  }
  const named = typeof body.tool_choice === 'object' ? body.tool_choice.function.name : undefined
  const text =
    named === undefined ? renderAssistantText(output, ctx.thinking) : renderNamedCall(output, named, ctx.thinking)
  let gen: Generation
  try {
    gen = generateIds(config.tokenizer, text, output, {
      maxTokens,
      stopTokenIds: Array.isArray(body.stop_token_ids) ? (body.stop_token_ids as number[]) : undefined,
      stop: stopStrings(body.stop),
      includeStopStrInOutput: body.include_stop_str_in_output === true,
      skipSpecialTokens: body.skip_special_tokens ?? true,
      eosId: QWEN3_TOKENS.imEnd,
    })
  } catch (error) {
    if (MockVLLMError.isInstance(error)) throw new VLLMRequestError(500, `mock policy output: ${error.message}`)
    throw error
  }
  const toolsActive = (body.tools?.length ?? 0) > 0 && body.tool_choice !== 'none'
  const layout = parseOutput(gen.pieces.join(''), {
    reasoningParser: config.reasoningParser,
    toolParser: toolsActive ? config.toolParser : null,
    namedTool: named,
  })
  const finish =
    gen.finishReason === 'stop' && layout.toolCalls.length > 0 && named === undefined ? 'tool_calls' : gen.finishReason
  return {
    ...gen,
    index,
    layout,
    finish,
    record: {
      index,
      tokenIds: [],
      generatedTokenIds: gen.ids,
      logprobs: logprobValues(config.seed, gen.ids),
      finishReason: finish,
    },
  }
}

/** With a named `tool_choice`, vLLM constrains the output to the arguments JSON itself (no `<tool_call>` wrapper). */
function renderNamedCall(output: PolicyOutput, name: string, thinking: boolean): string {
  const call = output.toolCalls?.find((c) => c.name === name) ?? output.toolCalls?.[0]
  const args =
    call === undefined ? '{}' : typeof call.arguments === 'string' ? call.arguments : pyJsonDumps(call.arguments)
  return renderAssistantText(
    { ...(output.reasoning === undefined ? {} : { reasoning: output.reasoning }), content: args },
    thinking
  )
}

function reasoningField(ex: Exchange): 'reasoning' | 'reasoning_content' {
  return ex.faults.has('legacy-reasoning-field') ? 'reasoning_content' : ex.config.reasoningField
}

/** `include_reasoning: false` hides reasoning and, in current vLLM, nulls ids and logprobs too. */
const hidesIds = (body: ChatCompletionRequest): boolean => body.include_reasoning === false

function respond(ex: Exchange, body: ChatCompletionRequest, promptIds: number[], choices: Choice[]): void {
  const { config } = ex
  const field = reasoningField(ex)
  const withIds = body.return_token_ids === true && !hidesIds(body)
  const id = `chatcmpl-${body.request_id ?? randomUUID().replaceAll('-', '')}`
  const completionTokens = choices.reduce((sum, c) => sum + c.ids.length, 0)
  const response: Record<string, unknown> = {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: config.modelId,
    choices: choices.map((c) => {
      const parts = messageParts(c.layout)
      const message: Record<string, unknown> = { role: 'assistant', content: parts.content }
      if (config.reasoningParser && body.include_reasoning !== false) message[field] = parts.reasoning
      if (parts.toolCalls.length > 0)
        message.tool_calls = parts.toolCalls.map((call) => toolCall(call.name, call.arguments))
      if (withIds) c.record.tokenIds.push(...c.ids)
      return {
        index: c.index,
        message,
        logprobs: body.logprobs && !hidesIds(body) ? chatLogprobs(config, c.ids, body.top_logprobs ?? 0) : null,
        finish_reason: c.finish,
        stop_reason: c.stopReason,
        token_ids: withIds ? c.ids : null,
      }
    }),
    usage: {
      prompt_tokens: promptIds.length,
      total_tokens: promptIds.length + completionTokens,
      completion_tokens: completionTokens,
      prompt_tokens_details: null,
    },
    prompt_logprobs: null,
    prompt_token_ids: body.return_token_ids && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
    kv_transfer_params: null,
  }
  ex.sendJson(200, response)
}

const toolCall = (name: string, args: string): Record<string, unknown> => ({
  id: `chatcmpl-tool-${randomUUID().replaceAll('-', '')}`,
  type: 'function',
  function: { name, arguments: args },
})

async function streamChat(
  ex: Exchange,
  body: ChatCompletionRequest,
  promptIds: number[],
  choices: Choice[]
): Promise<void> {
  const { config } = ex
  const sse = new SseWriter(ex)
  const field = reasoningField(ex)
  const withIds = body.return_token_ids === true && !hidesIds(body)
  const interval = Math.max(
    1,
    Math.floor(typeof body.stream_interval === 'number' ? body.stream_interval : config.streamInterval)
  )
  const head = {
    id: `chatcmpl-${body.request_id ?? randomUUID().replaceAll('-', '')}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: config.modelId,
  }
  const includeUsage = body.stream_options ? (body.stream_options.include_usage ?? true) : false
  const continuous = body.stream_options?.continuous_usage_stats === true
  const dropParserIds = ex.faults.has('drop-parser-ids')
  let generated = 0
  const usage = (): Record<string, number> => ({
    prompt_tokens: promptIds.length,
    completion_tokens: generated,
    total_tokens: promptIds.length + generated,
  })

  for (const c of choices) {
    const role: Record<string, unknown> = {
      ...head,
      choices: [{ index: c.index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    }
    if (body.return_token_ids && !ex.faults.has('missing-prompt-ids')) role.prompt_token_ids = promptIds
    if (continuous) role.usage = usage()
    if (!(await sse.send(role))) return
  }

  const parsers = choices.map((c) => new StreamingParser(c.layout))
  const steps = Math.max(...choices.map((c) => Math.ceil(c.ids.length / interval)), 0)
  const textAt = choices.map(() => 0)
  for (let step = 0; step < steps; step++) {
    for (const [k, c] of choices.entries()) {
      const start = step * interval
      if (start >= c.ids.length) continue
      const ids = c.ids.slice(start, start + interval)
      const last = start + interval >= c.ids.length
      textAt[k] = (textAt[k] ?? 0) + c.pieces.slice(start, start + interval).join('').length
      const parts = (parsers[k] as StreamingParser).advance(textAt[k] ?? 0, last)
      generated += ids.length
      const delta: Record<string, unknown> = {}
      if (parts.reasoning !== undefined && body.include_reasoning !== false) delta[field] = parts.reasoning
      if (parts.content !== undefined) delta.content = parts.content
      if (parts.toolCalls) {
        delta.tool_calls = parts.toolCalls.map((t) =>
          t.header
            ? { index: t.index, ...toolCall(t.name, t.arguments) }
            : { index: t.index, function: { arguments: t.arguments } }
        )
      }
      // Old vLLM (#27482) skipped chunks whose text a parser buffered, losing their ids; current vLLM sends `{}`.
      if (dropParserIds && !last && Object.keys(delta).length === 0) continue
      const choice: Record<string, unknown> = {
        index: c.index,
        delta,
        logprobs: body.logprobs && !hidesIds(body) ? chatLogprobs(config, ids, body.top_logprobs ?? 0, start) : null,
        finish_reason: last ? c.finish : null,
      }
      if (last) choice.stop_reason = c.stopReason
      choice.token_ids = withIds ? ids : null
      const chunk: Record<string, unknown> = { ...head, choices: [choice] }
      if (continuous) chunk.usage = usage()
      if (!(await sse.send(chunk))) return
      if (withIds) c.record.tokenIds.push(...ids)
    }
  }
  if (includeUsage && !(await sse.send({ ...head, choices: [], usage: usage() }))) return
  await sse.finish()
}

/** vLLM's `stop`: a string or a list of strings. */
export function stopStrings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return undefined
}
