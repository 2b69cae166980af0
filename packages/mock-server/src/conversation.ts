import type { ChatCompletionRequest, ChatMessage, ToolDefinition } from './types.js'

/**
 * What the "model" is asked to continue, whichever endpoint carried it: the chat messages of a chat request, or
 * the conversation read back from a completions prompt. Policies and sampling see only this.
 */
export interface Conversation {
  messages: ChatMessage[]
  tools: ToolDefinition[]
  /** `enable_thinking !== false` (chat kwargs, or the generation prompt of a token prompt). */
  thinking: boolean
}

/** The conversation of a chat request (`reasoning_effort: "none"` turns thinking off unless the kwargs say). */
export function chatConversation(body: ChatCompletionRequest): Conversation {
  const kwargs = body.chat_template_kwargs ?? {}
  const thinking = 'enable_thinking' in kwargs ? kwargs.enable_thinking !== false : body.reasoning_effort !== 'none'
  return { messages: body.messages, tools: body.tools ?? [], thinking }
}

/**
 * A canonical form of the conversation for seeding the sampler: roles, trimmed text, tool calls with parsed
 * arguments, tools by name/description/parameters; reasoning, ids and JSON spacing left out. A chat request and
 * a token prompt that carry the same conversation get the same key, so sampling never depends on the endpoint.
 */
export function conversationKey(conversation: Conversation): string {
  const messages = conversation.messages.map((m) => ({
    role: m.role,
    content: (messageText(m) ?? '').trim(),
    calls: (m.tool_calls ?? []).map((c) => [c.function?.name ?? '', canonicalArguments(c.function?.arguments)]),
  }))
  const tools = conversation.tools.map((t) => ({
    name: t.function?.name ?? '',
    description: t.function?.description ?? null,
    parameters: t.function?.parameters ?? null,
  }))
  return stableJson({ messages, tools, thinking: conversation.thinking })
}

function canonicalArguments(args: unknown): string {
  if (typeof args !== 'string') return stableJson(args ?? {})
  try {
    return stableJson(JSON.parse(args))
  } catch {
    return args.trim()
  }
}

/** JSON with object keys sorted, so key order never changes a key. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** The plain text of a wire message (text parts joined like vLLM does). */
export function messageText(message: ChatMessage | undefined): string | undefined {
  if (!message) return undefined
  const { content } = message
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof p.text === 'string' ? p.text : '')).join('\n')
  return content == null ? undefined : String(content)
}
