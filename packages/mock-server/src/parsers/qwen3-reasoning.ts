import type { Span } from './types.js'

const THINK_START = '<think>'
const THINK_END = '</think>'

/**
 * vLLM's qwen3 reasoning parser: a leading `<think>` is dropped, text before `</think>` is reasoning and what
 * follows is content (leading newlines kept). With thinking on, an unclosed `<think>` is all reasoning; with
 * thinking off it is content. Text that never opens or closes a think block is content (Qwen3 always opens one
 * when it thinks).
 */
export function splitReasoning(text: string, thinking: boolean): { reasoning: Span | null; contentStart: number } {
  const start = text.startsWith(THINK_START) ? THINK_START.length : 0
  const end = text.indexOf(THINK_END, start)
  if (end >= 0) return { reasoning: [start, end], contentStart: end + THINK_END.length }
  if (start > 0 && thinking) return { reasoning: [start, text.length], contentStart: text.length }
  return { reasoning: null, contentStart: start }
}
