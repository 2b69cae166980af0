import type { Message, StreamOptions, ToolChoice, ToolSpec } from '@strands-agents/sdk'
import { MANAGED_PARAM_KEYS, type VLLMModelConfig } from '../config.js'
import type { WireMessage, WireTool, WireToolChoice } from '../wire.js'
import { formatMessages, formatSystemPrompt } from './format-messages.js'
import { SAMPLING_KEYS } from './sampling-keys.js'

export interface BuiltRequest {
  body: Record<string, unknown> & { messages: WireMessage[] }
  /** Copy of every sampling-related key in `body`. */
  sampling: Record<string, unknown>
  /** The request asked vLLM for ids / logprobs / top logprobs. */
  returnTokenIds: boolean
  logprobs: boolean
  topLogprobs: boolean
}

export function formatTools(toolSpecs: readonly ToolSpec[]): WireTool[] {
  return toolSpecs.map((spec) => ({
    type: 'function',
    function: {
      name: spec.name,
      description: spec.description,
      ...(spec.inputSchema === undefined ? {} : { parameters: spec.inputSchema }),
    },
  }))
}

export function formatToolChoice(choice: ToolChoice): WireToolChoice {
  if ('any' in choice) return 'required'
  if ('tool' in choice) return { type: 'function', function: { name: choice.tool.name } }
  return 'auto'
}

/**
 * The chat prompt source: `{ ...params, model, messages, stream, stream_options?, tools?, tool_choice?,
 * max_tokens, temperature, top_p, return_token_ids?, logprobs?, top_logprobs? }` (later keys win). The server
 * renders the messages with its chat template.
 */
export function buildChatRequest(
  config: VLLMModelConfig,
  messages: readonly Message[],
  options: StreamOptions | undefined,
  warn: (message: string) => void
): BuiltRequest {
  const body: Record<string, unknown> = {}
  if (config.params) {
    for (const key of Object.keys(config.params)) {
      if (!MANAGED_PARAM_KEYS.has(key)) body[key] = config.params[key]
    }
  }
  const wireMessages = formatMessages(messages, warn)
  const system = formatSystemPrompt(options?.systemPrompt, warn)
  if (system) wireMessages.unshift(system)
  body.model = config.modelId
  body.messages = wireMessages
  const stream = config.stream !== false
  body.stream = stream
  // `stream_options` without `stream` is a 400; vLLM's default `include_usage` is false, and usage is a check.
  if (stream) body.stream_options = { include_usage: true }

  const toolSpecs = options?.toolSpecs
  const sendTools = !config.disableTools && toolSpecs !== undefined && toolSpecs.length > 0
  if (sendTools) {
    body.tools = formatTools(toolSpecs)
    if (options?.toolChoice) body.tool_choice = formatToolChoice(options.toolChoice)
  } else {
    // vLLM rejects `tool_choice` without `tools` (vLLM #9426).
    delete body.tool_choice
  }
  if (config.maxTokens !== undefined) body.max_tokens = config.maxTokens
  if (config.temperature !== undefined) body.temperature = config.temperature
  if (config.topP !== undefined) body.top_p = config.topP
  if (config.returnTokenIds) body.return_token_ids = true
  if (config.logprobs) {
    body.logprobs = true
    if (typeof config.logprobs === 'object') body.top_logprobs = config.logprobs.top
  }

  const sampling: Record<string, unknown> = {}
  for (const key of Object.keys(body)) {
    if (SAMPLING_KEYS.has(key)) sampling[key] = structuredClone(body[key])
  }
  return {
    body: body as BuiltRequest['body'],
    sampling,
    returnTokenIds: body.return_token_ids === true,
    logprobs: body.logprobs === true,
    topLogprobs: body.logprobs === true && typeof body.top_logprobs === 'number' && body.top_logprobs > 0,
  }
}
