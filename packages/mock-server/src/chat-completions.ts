import { randomUUID } from 'node:crypto'
import { QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { checkContextLength } from './context-length.js'
import { type Conversation, chatConversation } from './conversation.js'
import { badRequest, MockVLLMError, MockVLLMRequestError } from './errors.js'
import type { Exchange } from './exchange.js'
import { applyFinishFault, type Generation, generateIds, renderAssistantText } from './generate.js'
import { chatLogprobs, logprobValues, promptLogprobs } from './logprob-views.js'
import { hermesToolCallId } from './parsers/hermes.js'
import { type MessageParts, type OutputParsing, parseMessage, StreamView } from './parsers/output-view.js'
import type { ToolCallDelta } from './parsers/types.js'
import { policyContext } from './policies/context.js'
import { pyJsonDumps } from './py-json.js'
import { renderPromptIds, templateInput } from './render-prompt.js'
import { checkChatRequest, checkMaxLogprobs, checkN } from './request-checks.js'
import { SseWriter } from './sse.js'
import { streamUsage, usageOf } from './stream-usage.js'
import type { ChatCompletionRequest, PolicyOutput, RecordedChoice } from './types.js'

/** A generated choice and how vLLM's parsers read it. */
interface Choice extends Generation {
  index: number
  text: string
  parsing: OutputParsing
  record: RecordedChoice
}

/** `POST /v1/chat/completions`: render the prompt, ask the policy, then emulate vLLM's output path. */
export async function chatCompletions(ex: Exchange): Promise<void> {
  const { config } = ex
  const body = ex.requestBody<ChatCompletionRequest>()
  checkChatRequest(body)
  const conversation = chatConversation(body)
  const input = templateInput({
    ...body,
    chat_template_kwargs: { ...body.chat_template_kwargs, enable_thinking: conversation.thinking },
  })
  const promptIds = renderPromptIds(config.tokenizer, input)
  ex.record.promptTokenIds = promptIds
  const n = checkN(body.n)
  checkServing(ex, body)
  const maxTokens = checkContextLength(
    {
      inputTokens: promptIds.length,
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
      maxModelLen: config.maxModelLen,
      fromText: true,
    },
    ex.faults
  )
  // `choice-index`: a second choice streams although n is 1 (a server bug the client must catch).
  const count = n === 1 && ex.faults.has('choice-index') ? 2 : n
  const choices: Choice[] = []
  for (let index = 0; index < count; index++) {
    choices.push(await generateChoice(ex, body, conversation, index, maxTokens))
  }
  ex.recordChoices(choices.map((c) => c.record))
  const promptText = body.return_prompt_text === true ? promptTextOf(ex, input) : null
  if (body.stream) await streamChat(ex, body, promptIds, promptText, choices)
  else respond(ex, body, promptIds, promptText, choices)
}

/** Checks vLLM makes while serving (parser flags, engine limits): `BadRequestError`s. */
function checkServing(ex: Exchange, body: ChatCompletionRequest): void {
  const choice = body.tool_choice ?? (body.tools?.length ? 'auto' : 'none')
  if (choice === 'auto' && ex.config.toolParser === null) {
    throw badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')
  }
  checkMaxLogprobs(body.logprobs ? (body.top_logprobs ?? 0) : null, body.prompt_logprobs, ex.config.maxLogprobs)
}

async function generateChoice(
  ex: Exchange,
  body: ChatCompletionRequest,
  conversation: Conversation,
  index: number,
  maxTokens: number
): Promise<Choice> {
  const { config } = ex
  const ctx = policyContext(body, conversation, config.seed, index)
  let output: PolicyOutput
  try {
    output = await config.policy(ctx)
  } catch (error) {
    throw new MockVLLMRequestError(500, `mock policy failed: ${(error as Error)?.message ?? String(error)}`)
  }
  const named = typeof body.tool_choice === 'object' ? body.tool_choice.function.name : undefined
  const text =
    named === undefined
      ? renderAssistantText(output, ctx.thinking, config.toolFormat)
      : renderNamedCall(output, named, ctx.thinking)
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
    if (MockVLLMError.isInstance(error)) throw new MockVLLMRequestError(500, `mock policy output: ${error.message}`)
    throw error
  }
  gen = applyFinishFault(gen, ex.faults, QWEN3_TOKENS.imEnd)
  const toolsActive = (body.tools?.length ?? 0) > 0 && body.tool_choice !== 'none'
  const parsing: OutputParsing = {
    reasoningParser: config.reasoningParser,
    toolParser: toolsActive && named === undefined ? config.toolParser : null,
    namedTool: named,
    tools: body.tools ?? [],
    thinking: ctx.thinking,
  }
  return {
    ...gen,
    index,
    text: gen.pieces.join(''),
    parsing,
    record: {
      index,
      tokenIds: [],
      generatedTokenIds: gen.ids,
      logprobs: logprobValues(config.seed, gen.ids),
      finishReason: gen.finishReason,
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
    thinking,
    'hermes'
  )
}

function promptTextOf(ex: Exchange, input: ReturnType<typeof templateInput>): string {
  return ex.config.tokenizer.renderChat(input.messages, {
    tools: input.tools,
    addGenerationPrompt: input.addGenerationPrompt,
    continueFinalMessage: input.continueFinalMessage,
    chatTemplateKwargs: input.chatTemplateKwargs,
  })
}

function reasoningField(ex: Exchange): 'reasoning' | 'reasoning_content' {
  return ex.faults.has('legacy-reasoning-field') ? 'reasoning_content' : ex.config.reasoningField
}

/** `include_reasoning: false` hides reasoning and, in current vLLM, nulls ids and logprobs too. */
const hidesIds = (body: ChatCompletionRequest): boolean => body.include_reasoning === false

/** Non-streaming: auto tool choice finishes `tool_calls` whenever calls were parsed (a fault's reason wins). */
function jsonFinish(c: Choice, parts: MessageParts): string {
  if (c.finishReason === 'abort' || c.finishReason === 'repetition') return c.finishReason
  return parts.toolCalls.length > 0 && c.parsing.namedTool === undefined ? 'tool_calls' : c.finishReason
}

function respond(
  ex: Exchange,
  body: ChatCompletionRequest,
  promptIds: number[],
  promptText: string | null,
  choices: Choice[]
): void {
  const { config } = ex
  const field = reasoningField(ex)
  const withIds = body.return_token_ids === true && !hidesIds(body)
  const completionTokens = choices.reduce((sum, c) => sum + c.ids.length, 0)
  const response = {
    id: `chatcmpl-${body.request_id ?? randomUUID().replaceAll('-', '')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: config.modelId,
    choices: choices.map((c) => {
      const parts = parseMessage(c.text, c.parsing)
      const calls = body.parallel_tool_calls === false ? parts.toolCalls.slice(0, 1) : parts.toolCalls
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: parts.content,
        refusal: null,
        annotations: null,
        audio: null,
        function_call: null,
      }
      if (calls.length > 0) {
        message.tool_calls = calls.map((call) => ({
          id: hermesToolCallId(),
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }))
      }
      message[field] = body.include_reasoning === false ? null : parts.reasoning
      if (withIds) c.record.tokenIds.push(...c.ids)
      const finish = jsonFinish(c, parts)
      c.record.finishReason = finish
      return {
        index: c.index,
        message,
        logprobs: body.logprobs && !hidesIds(body) ? jsonLogprobs(ex, c.ids, body.top_logprobs ?? 0, c.index) : null,
        finish_reason: finish,
        stop_reason: c.stopReason,
        token_ids: withIds ? c.ids : null,
        routed_experts: null,
      }
    }),
    service_tier: null,
    system_fingerprint: null,
    usage: { ...usageOf(promptIds.length, completionTokens), prompt_tokens_details: null },
    prompt_logprobs: body.prompt_logprobs == null ? null : promptLogprobs(config, promptIds, body.prompt_logprobs),
    prompt_token_ids: body.return_token_ids && !ex.faults.has('missing-prompt-ids') ? promptIds : null,
    prompt_text: promptText,
    kv_transfer_params: null,
    ec_transfer_params: null,
    metrics: null,
  }
  if (choices[0]) ex.record.finishReason = choices[0].record.finishReason
  ex.sendJson(200, response)
}

/** Chat logprobs of a JSON body; `logprobs-misaligned` shifts the entries by one (entry i describes id i + 1). */
function jsonLogprobs(ex: Exchange, ids: readonly number[], top: number, index: number) {
  const view = chatLogprobs(ex.config, ids, top)
  if (!ex.faults.has('logprobs-misaligned') || index !== 0 || view.content.length < 2) return view
  const content = view.content.slice(1)
  content.push(view.content.at(-1) as Record<string, unknown>)
  return { content }
}

async function streamChat(
  ex: Exchange,
  body: ChatCompletionRequest,
  promptIds: number[],
  promptText: string | null,
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
  const usage = streamUsage(body.stream_options)
  const dropParserIds = ex.faults.has('drop-parser-ids')
  const misaligned = ex.faults.has('logprobs-misaligned')
  const sent = choices.map(() => 0)

  for (const c of choices) {
    const role: Record<string, unknown> = {
      ...head,
      choices: [{ index: c.index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      prompt_token_ids: body.return_token_ids ? promptIds : null,
      prompt_text: promptText,
    }
    if (ex.faults.has('missing-prompt-ids')) delete role.prompt_token_ids
    if (usage.continuous) role.usage = usageOf(promptIds.length, 0)
    if (!(await sse.send(role))) return
  }

  const views = choices.map((c) => new StreamView(c.text, c.parsing))
  const steps = Math.max(...choices.map((c) => Math.max(1, Math.ceil(c.ids.length / interval))), 0)
  const textAt = choices.map(() => 0)
  for (let step = 0; step < steps; step++) {
    for (const [k, c] of choices.entries()) {
      const start = step * interval
      if (start >= c.ids.length && !(start === 0 && c.ids.length === 0)) continue
      const ids = c.ids.slice(start, start + interval)
      const last = start + interval >= c.ids.length
      textAt[k] = (textAt[k] ?? 0) + c.pieces.slice(start, start + interval).join('').length
      const view = views[k] as StreamView
      const parts = view.advance(textAt[k] ?? 0, last)
      sent[k] = (sent[k] ?? 0) + ids.length
      const delta: Record<string, unknown> = {}
      if (parts.reasoning !== undefined && body.include_reasoning !== false) delta[field] = parts.reasoning
      if (parts.content !== undefined) delta.content = parts.content
      const calls = toolDeltas(parts.toolCalls, body)
      if (calls) delta.tool_calls = calls
      // Old vLLM (#27482) skipped chunks whose text a parser buffered, losing their ids; current vLLM sends `{}`.
      if (dropParserIds && !last && Object.keys(delta).length === 0) continue
      let logprobs: unknown = null
      if (body.logprobs && !hidesIds(body)) {
        // `logprobs-misaligned`: the first chunk carries one entry too few, the second one too many.
        const shift =
          misaligned && c.index === 0 && c.ids.length > interval ? (step === 0 ? -1 : step === 1 ? 1 : 0) : 0
        const lpIds = shift === -1 ? ids.slice(0, -1) : shift === 1 ? [c.ids[start - 1] as number, ...ids] : ids
        logprobs = chatLogprobs(config, lpIds, body.top_logprobs ?? 0, shift === 1 ? start - 1 : start)
      }
      const finish = last
        ? view.toolsStreamed && c.parsing.namedTool === undefined && c.finishReason === 'stop'
          ? 'tool_calls'
          : c.finishReason
        : null
      const choice: Record<string, unknown> = { index: c.index, delta, logprobs, finish_reason: finish }
      if (last) {
        choice.stop_reason = c.stopReason
        c.record.finishReason = finish
      }
      choice.token_ids = withIds ? ids : null
      const chunk: Record<string, unknown> = { ...head, choices: [choice] }
      if (usage.continuous) chunk.usage = usageOf(promptIds.length, sent[k] ?? 0)
      if (!(await sse.send(chunk))) return
      if (withIds) c.record.tokenIds.push(...ids)
    }
  }
  if (choices[0]) ex.record.finishReason = choices[0].record.finishReason
  const total = sent.reduce((a, b) => a + b, 0)
  if (usage.include && !(await sse.send({ ...head, choices: [], usage: usageOf(promptIds.length, total) }))) return
  await sse.finish()
}

/** With `parallel_tool_calls: false`, vLLM drops every call after the first from the stream. */
function toolDeltas(calls: ToolCallDelta[] | undefined, body: ChatCompletionRequest): ToolCallDelta[] | undefined {
  const kept = body.parallel_tool_calls === false ? calls?.filter((c) => c.index === 0) : calls
  return kept && kept.length > 0 ? kept : undefined
}

/** vLLM's `stop`: a string or a list of strings. */
export function stopStrings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return undefined
}
