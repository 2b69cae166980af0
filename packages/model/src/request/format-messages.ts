import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  Message,
  SystemPrompt,
  ToolResultBlock,
  ToolUseBlock,
} from '@strands-agents/sdk'
import { getInvalidToolInput } from '../invalid-tool-input.js'
import type { WireContentPart, WireMessage, WireToolCall } from '../wire.js'

type Warn = (message: string) => void

/** System prompt → one `system` message (text blocks joined; cache points and guard blocks dropped). */
export function formatSystemPrompt(systemPrompt: SystemPrompt | undefined, warn: Warn): WireMessage | undefined {
  if (systemPrompt === undefined) return undefined
  if (typeof systemPrompt === 'string')
    return systemPrompt.length > 0 ? { role: 'system', content: systemPrompt } : undefined
  let text = ''
  for (const block of systemPrompt) {
    if (block.type === 'textBlock') text += block.text
    else warn(`block_type=<${block.type}> | not supported in vLLM system prompts, skipping`)
  }
  return text.length > 0 ? { role: 'system', content: text } : undefined
}

/**
 * Strands messages → OpenAI chat messages, as vLLM's chat templates read them.
 * Nothing is trimmed, prefixed or reordered beyond what the chat format requires:
 * what the model wrote and what the tools returned reach the template verbatim.
 */
export function formatMessages(messages: readonly Message[], warn: Warn): WireMessage[] {
  const out: WireMessage[] = []
  for (const message of messages) {
    if (message.role === 'assistant') out.push(formatAssistant(message.content, warn))
    else formatUser(message.content, out, warn)
  }
  return out
}

function formatAssistant(content: readonly ContentBlock[], warn: Warn): WireMessage {
  let text = ''
  let reasoning: string | undefined
  const toolCalls: WireToolCall[] = []
  for (const block of content) {
    switch (block.type) {
      case 'textBlock':
        text += block.text
        break
      case 'reasoningBlock':
        // Qwen3 / DeepSeek templates read `reasoning_content`; vLLM accepts it on requests.
        if (block.text) reasoning = (reasoning ?? '') + block.text
        break
      case 'toolUseBlock':
        toolCalls.push(formatToolCall(block))
        break
      default:
        warn(`block_type=<${block.type}> | not supported in vLLM assistant messages, skipping`)
    }
  }
  const message: WireMessage = { role: 'assistant', content: text }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  if (reasoning !== undefined) message.reasoning_content = reasoning
  return message
}

/**
 * vLLM `json.loads` every history `arguments` string before templating (a 400 if that fails),
 * and Qwen3-style templates print string arguments verbatim. So a call whose arguments were
 * not valid JSON is sent as the JSON string *of* its raw text: vLLM decodes it back to the
 * raw text and the next prompt shows exactly what the model wrote.
 */
function formatToolCall(block: ToolUseBlock): WireToolCall {
  const invalid = getInvalidToolInput(block.input)
  const args = JSON.stringify(invalid ? invalid.raw : (block.input ?? {}))
  return { id: block.toolUseId, type: 'function', function: { name: block.name, arguments: args } }
}

function formatUser(content: readonly ContentBlock[], out: WireMessage[], warn: Warn): void {
  const parts: WireContentPart[] = []
  const hoistedMedia: WireContentPart[] = []
  // Tool messages must directly follow the assistant's tool_calls, so they go first.
  for (const block of content) {
    if (block.type === 'toolResultBlock') out.push(formatToolResult(block, hoistedMedia, warn))
  }
  for (const block of content) {
    switch (block.type) {
      case 'toolResultBlock':
        break
      case 'textBlock':
        parts.push({ type: 'text', text: block.text })
        break
      case 'imageBlock': {
        const part = formatImage(block, warn)
        if (part) parts.push(part)
        break
      }
      case 'documentBlock':
        parts.push(...formatDocument(block, warn))
        break
      default:
        warn(`block_type=<${block.type}> | not supported in vLLM user messages, skipping`)
    }
  }
  if (hoistedMedia.length > 0) out.push({ role: 'user', content: hoistedMedia })
  if (parts.length === 0) return
  const only = parts[0]
  out.push({ role: 'user', content: parts.length === 1 && only?.type === 'text' ? only.text : parts })
}

/** The result's text exactly: error results get no prefix, because that text is the policy's training signal. */
function formatToolResult(block: ToolResultBlock, hoistedMedia: WireContentPart[], warn: Warn): WireMessage {
  let text = ''
  for (const item of block.content) {
    if (item.type === 'textBlock') text += item.text
    else if (item.type === 'jsonBlock') text += JSON.stringify(item.json)
    else if (item.type === 'imageBlock') {
      const part = formatImage(item, warn)
      if (part) hoistedMedia.push(part)
    } else warn(`block_type=<${item.type}> | not supported in vLLM tool results, skipping`)
  }
  return { role: 'tool', tool_call_id: block.toolUseId, content: text }
}

function mimeOf(format: string, kind: 'image' | 'application'): string {
  if (format === 'jpg') return 'image/jpeg'
  if (format === 'txt') return 'text/plain'
  return `${kind}/${format}`
}

function formatImage(block: ImageBlock, warn: Warn): WireContentPart | undefined {
  const source = block.source
  if (source.type === 'imageSourceUrl') return { type: 'image_url', image_url: { url: source.url } }
  if (source.type === 'imageSourceBytes') {
    const data = Buffer.from(source.bytes).toString('base64')
    return { type: 'image_url', image_url: { url: `data:${mimeOf(block.format, 'image')};base64,${data}` } }
  }
  warn(`source_type=<${source.type}> | vLLM cannot fetch this image source, skipping`)
  return undefined
}

function formatDocument(block: DocumentBlock, warn: Warn): WireContentPart[] {
  const source = block.source
  switch (source.type) {
    case 'documentSourceText':
      return [{ type: 'text', text: source.text }]
    case 'documentSourceContentBlock':
      return source.content.map((b) => ({ type: 'text', text: b.text }))
    case 'documentSourceBytes': {
      const data = Buffer.from(source.bytes).toString('base64')
      return [
        {
          type: 'file',
          file: { file_data: `data:${mimeOf(block.format, 'application')};base64,${data}`, filename: block.name },
        },
      ]
    }
    default:
      warn(`source_type=<${source.type}> | vLLM cannot fetch this document source, skipping`)
      return []
  }
}
