import { type Conversation, conversationKey, messageText } from '../conversation.js'
import { contentSeed, seededRng } from '../rng.js'
import type { ChatCompletionRequest, PolicyContext } from '../types.js'

/**
 * Build what a policy sees. `rng` is seeded by (server seed, request seed, the canonical conversation, choice
 * index), never by the endpoint, so chat and token-in requests for the same conversation sample the same ids.
 */
export function policyContext(
  body: ChatCompletionRequest,
  conversation: Conversation,
  seed: number,
  choiceIndex: number
): PolicyContext {
  const { messages } = conversation
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')
  const last = messages[messages.length - 1]
  const rngSeed = contentSeed(seed, body.seed ?? null, conversationKey(conversation), choiceIndex)
  return {
    body,
    messages,
    tools: conversation.tools,
    toolChoice: body.tool_choice,
    turn: messages.filter((m) => m.role === 'assistant').length,
    lastUserText: messageText(lastUser),
    lastToolResult: last?.role === 'tool' ? messageText(last) : undefined,
    thinking: conversation.thinking,
    choiceIndex,
    rng: seededRng(rngSeed),
  }
}
