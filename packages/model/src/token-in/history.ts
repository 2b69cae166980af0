import { isDeepStrictEqual } from 'node:util'
import type { TitoTokenIn } from '../tito-fields.js'
import type { WireMessage } from '../wire.js'
import { sameAssistant } from './assistant-message.js'

/** What shapes a rendering besides the messages; a change means the held ids no longer match the template's view. */
export interface RenderKeys {
  system: string
  tools: string
  template: string
}

/** The conversation a token-in instance holds after a successful call. */
export interface HeldConversation {
  /** The messages (system first, when any) that call was given. */
  messages: readonly WireMessage[]
  /** The assistant message that call produced, as the agent will send it back. */
  assistant: WireMessage
  prompt: readonly number[]
  sampled: readonly number[]
  /** The ids can be trusted as a prefix (the server echoed the prompt sent, the sampled ids passed their checks). */
  extendable: boolean
  keys: RenderKeys
}

export type RenderReason = NonNullable<TitoTokenIn['renderReason']>

export type HistoryVerdict = { kind: 'extend'; appended: WireMessage[] } | { kind: 'render'; reason: RenderReason }

/**
 * Do these messages continue the held conversation? They must repeat its messages, then the assistant turn it
 * produced, then only tool results and user messages. Anything else starts over from a fresh rendering, and the
 * reason says what changed: a new episode (no assistant turn at all), rewritten or trimmed history, other tools,
 * another system prompt or template arguments, or a previous turn whose ids cannot be trusted as a prefix.
 */
export function compareHistory(
  held: HeldConversation | undefined,
  messages: readonly WireMessage[],
  keys: RenderKeys
): HistoryVerdict {
  if (!held) return { kind: 'render', reason: 'first_call' }
  if (keys.system !== held.keys.system) return { kind: 'render', reason: 'system_changed' }
  if (keys.tools !== held.keys.tools) return { kind: 'render', reason: 'tools_changed' }
  if (keys.template !== held.keys.template) return { kind: 'render', reason: 'template_changed' }
  const n = held.messages.length
  let extends_ = messages.length > n && sameAssistant(messages[n], held.assistant)
  for (let i = 0; extends_ && i < n; i++) extends_ = isDeepStrictEqual(messages[i], held.messages[i])
  for (let i = n + 1; extends_ && i < messages.length; i++) {
    const role = messages[i]!.role
    extends_ = role === 'tool' || role === 'user'
  }
  if (!extends_) {
    const episode = !messages.some((m) => m.role === 'assistant')
    return { kind: 'render', reason: episode ? 'messages_reset' : 'history_changed' }
  }
  if (!held.extendable) return { kind: 'render', reason: 'previous_not_extendable' }
  return { kind: 'extend', appended: messages.slice(n + 1) }
}

/** A JSON key for a value, object keys sorted (the same tools or kwargs built in another order are the same). */
export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
