import { contentSeed, seededRng } from '../rng.js'
import type { ChatCompletionRequest, ChatMessage, PolicyContext } from '../types.js'

/** The plain text of a wire message (text parts joined like vLLM does). */
export function messageText(message: ChatMessage | undefined): string | undefined {
  if (!message) return undefined
  const { content } = message
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof p.text === 'string' ? p.text : '')).join('\n')
  return content == null ? undefined : String(content)
}

/** Build what a policy sees; `rng` is seeded by (server seed, request seed, messages, tools, choice index). */
export function policyContext(body: ChatCompletionRequest, seed: number, choiceIndex: number): PolicyContext {
  const messages = body.messages
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')
  const last = messages[messages.length - 1]
  const rngSeed = contentSeed(seed, body.seed ?? null, messages, body.tools ?? null, choiceIndex)
  return {
    body,
    messages,
    tools: body.tools ?? [],
    toolChoice: body.tool_choice,
    turn: messages.filter((m) => m.role === 'assistant').length,
    lastUserText: messageText(lastUser),
    lastToolResult: last?.role === 'tool' ? messageText(last) : undefined,
    thinking: body.chat_template_kwargs?.enable_thinking !== false,
    choiceIndex,
    rng: seededRng(rngSeed),
  }
}
