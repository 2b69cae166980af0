import type { AgentMetadata, Message, StateStore, StreamOptions } from '@strands-agents/sdk'
import type { VLLMSessionConfig } from '../config.js'

/** The `modelState` key the token recorder sets (from its rollout id) so every call of a rollout shares one key. */
export const SESSION_STATE_KEY = 'strands-vllm:session-id'

/** What a `session.id` function is given. */
export interface SessionKeyContext {
  messages: readonly Message[]
  modelState: StateStore | undefined
  agentMetadata: AgentMetadata | undefined
}

export interface SessionKey {
  id: string
  /** The header it is sent in (default `X-Session-ID`). */
  header: string
  /** Also sent as body `session_id` (vLLM reads it there first). */
  body: boolean
}

const DEFAULT_HEADER = 'X-Session-ID'

/**
 * The per-conversation key for one call: `session.id` (a string, or a function of the call) → `modelState`'s
 * `strands-vllm:session-id` → `agentMetadata.sessionId` → none. Routers (vllm-project/router, production-stack)
 * hash it to pick a replica, so every turn of a conversation reuses one prefix cache. With `instanceId` (token-in:
 * the model instance is the conversation) that id replaces the fallbacks after `session.id`.
 */
export function resolveSessionKey(
  session: VLLMSessionConfig | false | undefined,
  messages: readonly Message[],
  options: StreamOptions | undefined,
  instanceId?: string
): SessionKey | undefined {
  if (session === false) return undefined
  const configured = session?.id
  const modelState = options?.modelState
  const agentMetadata = options?.agentMetadata
  const fromConfig = typeof configured === 'function' ? configured({ messages, modelState, agentMetadata }) : configured
  const fromState = modelState?.get(SESSION_STATE_KEY)
  const id =
    nonEmpty(fromConfig) ??
    (instanceId !== undefined
      ? instanceId
      : (nonEmpty(typeof fromState === 'string' ? fromState : undefined) ?? nonEmpty(agentMetadata?.sessionId)))
  if (id === undefined) return undefined
  return { id, header: session?.header ?? DEFAULT_HEADER, body: session?.body ?? true }
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}
