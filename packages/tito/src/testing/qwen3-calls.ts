import { type ChatTemplateMessage, loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import type { TitoCallRecord } from '../call-record.js'
import { exactCall } from './exact-call.js'

/** The real Qwen3 tokenizer and chat template (what the mock server and vLLM render with). */
export const qwen3 = loadQwen3Tokenizer()

export const user = (content: string): ChatTemplateMessage => ({ role: 'user', content })
export const assistant = (content: string): ChatTemplateMessage => ({ role: 'assistant', content })
export const system = (content: string): ChatTemplateMessage => ({ role: 'system', content })

/** An assistant message that called one tool, and that tool's result. */
export function toolTurn(
  id: string,
  name: string,
  args: Record<string, unknown>,
  result: string
): ChatTemplateMessage[] {
  return [
    { role: 'assistant', content: '', tool_calls: [{ type: 'function', id, function: { name, arguments: args } }] },
    { role: 'tool', tool_call_id: id, content: result },
  ]
}

/** The text a model samples for one tool call, the way the Qwen3 template renders it (canonical JSON). */
export const toolCallText = (name: string, args: Record<string, unknown>): string =>
  `<tool_call>\n${JSON.stringify({ name, arguments: args }).replace(/":/g, '": ').replace(/,"/g, ', "')}\n</tool_call><|im_end|>`

/**
 * A recorded call whose prompt is the real template's rendering of `messages` (generation prompt on) and whose
 * sampled ids are `responseText` tokenized, with logprobs. `extra` overrides any record field.
 */
export function qwen3Call(
  callIndex: number,
  messages: ChatTemplateMessage[],
  responseText: string,
  extra: Partial<TitoCallRecord> & { kwargs?: Record<string, unknown> } = {}
): TitoCallRecord {
  const { kwargs, ...rest } = extra
  const promptTokenIds = qwen3.encode(qwen3.renderChat(messages, kwargs ? { chatTemplateKwargs: kwargs } : {}))
  const tokenIds = qwen3.encode(responseText)
  return exactCall(callIndex, promptTokenIds, tokenIds, {
    logprobs: tokenIds.map((_, i) => -0.01 * (i + 1)),
    responseId: `chatcmpl-${callIndex}`,
    model: 'Qwen/Qwen3-8B',
    ...rest,
  })
}
