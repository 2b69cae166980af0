import { VLLMTokenInError } from '../errors.js'
import type { WireMessage, WireTool } from '../wire.js'
import type { ChatRendererMessage } from './token-in-options.js'

/**
 * Wire messages → what the chat template is given, as vLLM prepares them before rendering: text parts joined with
 * `\n` (string-format templates such as Qwen3's), tool-call arguments parsed to objects (`''` → `{}`; our
 * invalid-input calls are sent as a JSON string of the raw text, which parses back to that text). Media cannot be
 * rendered into token ids here, so it is refused loudly rather than dropped.
 */
export function templateMessages(messages: readonly WireMessage[]): ChatRendererMessage[] {
  return messages.map((message, index): ChatRendererMessage => {
    if (message.role === 'system') return { role: 'system', content: message.content }
    if (message.role === 'user') return { role: 'user', content: textOf(message.content, index) }
    if (message.role === 'tool') return { role: 'tool', content: message.content, tool_call_id: message.tool_call_id }
    const out: ChatRendererMessage = { role: 'assistant', content: message.content }
    if (message.reasoning_content !== undefined) out.reasoning_content = message.reasoning_content
    if (message.tool_calls) {
      out.tool_calls = message.tool_calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.function.name, arguments: parseArguments(call.function.arguments, index) },
      }))
    }
    return out
  })
}

/** Tools as vLLM's pydantic models dump them for the template: `description` / `parameters` null when absent. */
export function templateTools(tools: readonly WireTool[]): Array<Record<string, unknown>> {
  return tools.map((tool) => ({
    type: tool.type,
    function: {
      name: tool.function.name,
      description: tool.function.description ?? null,
      parameters: tool.function.parameters ?? null,
    },
  }))
}

function textOf(content: Extract<WireMessage, { role: 'user' }>['content'], index: number): string {
  if (typeof content === 'string') return content
  return content
    .map((part) => {
      if (part.type === 'text') return part.text
      throw new VLLMTokenInError(
        `token-in renders text conversations only: message ${index} holds a ${part.type} part (images and ` +
          'documents need placeholder expansion that only the chat endpoint does); use chat mode for it',
        { code: 'unsupported_content' }
      )
    })
    .join('\n')
}

function parseArguments(args: string, index: number): unknown {
  if (args === '') return {}
  try {
    return JSON.parse(args)
  } catch (error) {
    throw new VLLMTokenInError(
      `message ${index}: tool-call arguments are not JSON (${(error as Error).message}); vLLM would reject them too`,
      { code: 'render_failed' }
    )
  }
}
