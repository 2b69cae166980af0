import type { Conversation } from './conversation.js'
import { convertParameter } from './parsers/qwen3-coder.js'
import type { ChatMessage, ToolDefinition } from './types.js'

const IM_START = '<|im_start|>'
const IM_END = '<|im_end|>'
const TOOLS_SECTION = /(?:^|\n\n)# Tools\n\nYou may call one or more functions to assist with the user query\.[\s\S]*$/
const TOOLS_BLOCK = /<tools>\n([\s\S]*?)\n<\/tools>/
const TOOL_RESPONSE = /<tool_response>\n([\s\S]*?)\n<\/tool_response>/g

/**
 * Read a Qwen3 (ChatML) prompt back as the conversation it encodes, so a token-in completions request reaches
 * the policies exactly as the same chat request would: the system prompt without the template's tools section,
 * the tools, tool results, and assistant turns as the client built them (reasoning kept in history, tool calls
 * in compact or spaced JSON or Qwen3-Coder XML). Thinking is off when the generation prompt holds an empty
 * `<think></think>`. Text that is not ChatML becomes one user message.
 */
export function promptConversation(text: string): Conversation {
  const turns = chatMlTurns(text)
  if (turns.length === 0) return { messages: [{ role: 'user', content: text }], tools: [], thinking: true }
  let thinking = true
  const last = turns.at(-1)
  if (last && !last.closed && last.role === 'assistant') {
    turns.pop()
    thinking = !/^<think>\s*<\/think>/.test(last.content)
  }
  const tools: ToolDefinition[] = []
  const messages: ChatMessage[] = []
  for (const [i, turn] of turns.entries()) {
    if (turn.role === 'system' && i === 0) {
      const section = TOOLS_SECTION.exec(turn.content)
      if (section) tools.push(...toolLines(TOOLS_BLOCK.exec(section[0])?.[1] ?? ''))
      const system = section ? turn.content.slice(0, section.index) : turn.content
      if (system || !section) messages.push({ role: 'system', content: system })
    } else if (turn.role === 'user' && turn.content.startsWith('<tool_response>')) {
      for (const m of turn.content.matchAll(TOOL_RESPONSE)) messages.push({ role: 'tool', content: m[1] ?? '' })
    } else if (turn.role === 'assistant') {
      messages.push(assistantMessage(turn.content, tools))
    } else {
      messages.push({ role: turn.role, content: turn.content })
    }
  }
  return { messages, tools, thinking }
}

interface Turn {
  role: string
  content: string
  closed: boolean
}

function chatMlTurns(text: string): Turn[] {
  const turns: Turn[] = []
  let at = text.indexOf(IM_START)
  while (at >= 0) {
    const header = at + IM_START.length
    const newline = text.indexOf('\n', header)
    if (newline < 0) break
    const next = text.indexOf(IM_START, newline)
    const end = text.indexOf(IM_END, newline)
    const closed = end >= 0 && (next < 0 || end < next)
    const stop = closed ? end : next < 0 ? text.length : next
    turns.push({ role: text.slice(header, newline), content: text.slice(newline + 1, stop), closed })
    at = next
  }
  return turns
}

function toolLines(block: string): ToolDefinition[] {
  const tools: ToolDefinition[] = []
  for (const line of block.split('\n')) {
    try {
      const tool = JSON.parse(line) as ToolDefinition
      if (typeof tool?.function?.name === 'string') tools.push(tool)
    } catch {
      // not a tool line
    }
  }
  return tools
}

/** An assistant turn: `<think>…</think>` (kept by the client), content, then hermes or Qwen3-Coder tool calls. */
function assistantMessage(text: string, tools: readonly ToolDefinition[]): ChatMessage {
  let rest = text
  let reasoning: string | undefined
  if (rest.startsWith('<think>')) {
    const end = rest.indexOf('</think>')
    if (end >= 0) {
      reasoning = rest.slice('<think>'.length, end).replace(/^\n+|\n+$/g, '')
      rest = rest.slice(end + '</think>'.length).replace(/^\n+/, '')
    }
  }
  const first = rest.indexOf('<tool_call>')
  const message: ChatMessage = { role: 'assistant', content: first < 0 ? rest : rest.slice(0, first) }
  if (reasoning !== undefined) message.reasoning_content = reasoning
  if (first >= 0) {
    const calls = [...rest.slice(first).matchAll(/<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g)].map((m) =>
      toolCall((m[1] ?? '').trim(), tools)
    )
    if (calls.length > 0) message.tool_calls = calls
  }
  return message
}

function toolCall(inner: string, tools: readonly ToolDefinition[]): NonNullable<ChatMessage['tool_calls']>[number] {
  const fn = /^<function=([^>]*)>([\s\S]*?)(?:<\/function>|$)/.exec(inner)
  if (fn) {
    const name = fn[1] ?? ''
    const args: Record<string, unknown> = {}
    for (const p of (fn[2] ?? '').matchAll(/<parameter=([^>]*)>\n?([\s\S]*?)\n?<\/parameter>/g)) {
      args[p[1] ?? ''] = convertParameter(p[2] ?? '', p[1] ?? '', name, tools)
    }
    return { type: 'function', function: { name, arguments: JSON.stringify(args) } }
  }
  try {
    const parsed = JSON.parse(inner) as { name?: unknown; arguments?: unknown }
    if (typeof parsed.name === 'string') {
      const args = typeof parsed.arguments === 'string' ? parsed.arguments : JSON.stringify(parsed.arguments ?? {})
      return { type: 'function', function: { name: parsed.name, arguments: args } }
    }
  } catch {
    // not JSON: keep the raw text so the conversation still says what the model wrote
  }
  const name = /"name"\s*:\s*"([^"]*)"/.exec(inner)?.[1] ?? ''
  const args = /"arguments"\s*:\s*([\s\S]*?)\}?\s*$/.exec(inner)?.[1] ?? inner
  return { type: 'function', function: { name, arguments: args } }
}
