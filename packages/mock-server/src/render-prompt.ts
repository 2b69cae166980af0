import type { ChatTemplateMessage, HfChatTokenizer } from '@strands-vllm/tokenizer'
import { ChatTemplateError } from '@strands-vllm/tokenizer'
import { badRequest } from './errors.js'
import type { ChatMessage, ToolDefinition } from './types.js'
import { missingFieldError, requestValidationError } from './validation-error.js'

/** What the chat template is given for a request, exactly as vLLM builds it. */
export interface TemplateInput {
  messages: ChatTemplateMessage[]
  tools: Array<Record<string, unknown>> | null
  addGenerationPrompt: boolean
  continueFinalMessage: boolean
  chatTemplateKwargs: Record<string, unknown>
}

/**
 * Turn OpenAI wire messages into template messages the way vLLM does: text parts joined with `\n`
 * (Qwen3's template is string-format), tool-call arguments parsed to objects, request-side `reasoning`
 * mapped to `reasoning_content`, and tools dumped like pydantic (`description`/`parameters` null when absent).
 */
export function templateInput(body: {
  messages: ChatMessage[]
  tools?: ToolDefinition[] | undefined
  add_generation_prompt?: boolean | undefined
  continue_final_message?: boolean | undefined
  chat_template_kwargs?: Record<string, unknown> | null | undefined
}): TemplateInput {
  if (!Array.isArray(body.messages)) throw missingFieldError('messages', body)
  const continueFinalMessage = body.continue_final_message ?? false
  const addGenerationPrompt = body.add_generation_prompt ?? true
  if (continueFinalMessage && body.add_generation_prompt === true) {
    throw requestValidationError('Cannot set both `continue_final_message` and `add_generation_prompt` to True.', body)
  }
  if (continueFinalMessage && addGenerationPrompt) {
    // The validator passed (the default was not sent); transformers refuses the pair when rendering.
    throw badRequest(
      'continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you want the model to continue the final message, and add_generation_prompt when you want to add a header that will prompt it to start a new assistant message instead.'
    )
  }
  return {
    messages: body.messages.map(templateMessage),
    tools: body.tools ? body.tools.map(templateTool) : null,
    addGenerationPrompt,
    continueFinalMessage,
    chatTemplateKwargs: body.chat_template_kwargs ?? {},
  }
}

function templateMessage(message: ChatMessage, index: number): ChatTemplateMessage {
  if (!message || typeof message !== 'object' || typeof message.role !== 'string') {
    throw badRequest(`messages[${index}]: a message needs a string role`, 'messages')
  }
  const { reasoning, ...rest } = message
  const out: ChatTemplateMessage = { ...rest, role: message.role, content: textContent(message.content, index) }
  if (reasoning != null && out.reasoning_content == null) out.reasoning_content = reasoning
  if (message.tool_calls) {
    out.tool_calls = message.tool_calls.map((call) => ({
      ...call,
      function: { ...call.function, arguments: parseArguments(call.function?.arguments) },
    }))
  }
  return out
}

function textContent(content: ChatMessage['content'], index: number): string {
  if (content == null) return ''
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) throw badRequest(`messages[${index}].content must be a string or a list of parts`)
  return content
    .map((part) => {
      if (part?.type === 'text' && typeof part.text === 'string') return part.text
      throw badRequest(`messages[${index}]: content part type ${JSON.stringify(part?.type)} is not supported here`)
    })
    .join('\n')
}

/** vLLM `json.loads` string arguments before rendering (so the template re-dumps them); empty → `{}`. */
function parseArguments(args: unknown): unknown {
  if (args === undefined || args === null || args === '') return {}
  if (typeof args !== 'string') return args
  try {
    return JSON.parse(args)
  } catch (error) {
    throw badRequest(`Invalid JSON in tool call arguments: ${(error as Error).message}`)
  }
}

function templateTool(tool: ToolDefinition): Record<string, unknown> {
  const { type, function: fn, ...extra } = tool
  if (!fn || typeof fn.name !== 'string') throw badRequest('tools[].function.name is required', 'tools')
  const { name, description, parameters, ...fnExtra } = fn
  return {
    type: type ?? 'function',
    function: { name, description: description ?? null, parameters: parameters ?? null, ...fnExtra },
    ...extra,
  }
}

/** Render and tokenize: the `prompt_token_ids` vLLM would compute. Template failures are vLLM's 400s. */
export function renderPromptIds(tokenizer: HfChatTokenizer, input: TemplateInput): number[] {
  try {
    return tokenizer.encodeChat(input.messages, {
      tools: input.tools,
      addGenerationPrompt: input.addGenerationPrompt,
      continueFinalMessage: input.continueFinalMessage,
      chatTemplateKwargs: input.chatTemplateKwargs,
    })
  } catch (error) {
    if (ChatTemplateError.isInstance(error)) throw badRequest(error.message)
    throw error
  }
}
