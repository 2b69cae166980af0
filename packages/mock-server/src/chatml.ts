import type { ChatMessage, ToolDefinition } from './types.js'

/** A raw prompt read back as a Qwen3 (ChatML) conversation, so token-in completions reach the same policies. */
export interface ParsedPrompt {
  messages: ChatMessage[]
  tools: ToolDefinition[]
  /** False when the open assistant turn already holds an empty `<think></think>` (thinking disabled). */
  thinking: boolean
}

const TURN = /<\|im_start\|>(\w+)\n([\s\S]*?)(?:<\|im_end\|>|$)/g

/** Best-effort: non-ChatML text becomes one user message. */
export function parseChatMlPrompt(text: string): ParsedPrompt {
  const turns = [...text.matchAll(TURN)].map((m) => ({ role: m[1] ?? 'user', content: m[2] ?? '' }))
  if (turns.length === 0) return { messages: [{ role: 'user', content: text }], tools: [], thinking: true }
  let thinking = true
  const open = text.lastIndexOf('<|im_start|>assistant\n')
  if (open >= 0 && !text.slice(open).includes('<|im_end|>')) {
    turns.pop()
    thinking = !/^<think>\s*<\/think>/.test(text.slice(open + '<|im_start|>assistant\n'.length))
  }
  const tools: ToolDefinition[] = []
  const messages: ChatMessage[] = []
  for (const turn of turns) {
    if (turn.role === 'system') {
      const block = /<tools>\n([\s\S]*?)\n<\/tools>/.exec(turn.content)
      for (const line of block?.[1]?.split('\n') ?? []) {
        try {
          tools.push(JSON.parse(line) as ToolDefinition)
        } catch {
          // not a tool line
        }
      }
      messages.push(turn)
    } else if (turn.role === 'user' && turn.content.startsWith('<tool_response>')) {
      for (const m of turn.content.matchAll(/<tool_response>\n([\s\S]*?)\n<\/tool_response>/g)) {
        messages.push({ role: 'tool', content: m[1] ?? '' })
      }
    } else {
      messages.push(turn)
    }
  }
  return { messages, tools, thinking }
}
