import { Template } from '@huggingface/jinja'
import { hasErrorMarker } from './error-marker.js'
import type { ChatTemplateMessage, RenderChatOptions } from './tokenizer.js'

const marker: unique symbol = Symbol.for('strands-vllm.error.ChatTemplateError')

/** Thrown when a template cannot be rendered for the given conversation. */
export class ChatTemplateError extends Error {
  readonly [marker] = true
  constructor(message: string) {
    super(message)
    this.name = 'ChatTemplateError'
  }
  static isInstance(error: unknown): error is ChatTemplateError {
    return hasErrorMarker(error, marker)
  }
}

/**
 * A Hugging Face chat template rendered the way `transformers` (and so vLLM) renders it:
 * (`raise_exception` and `strftime_now` come from @huggingface/jinja), extra kwargs spread into the context,
 * and `continue_final_message` cutting the text right after the final message's content.
 */
export class ChatTemplate {
  private readonly template: Template
  constructor(
    readonly source: string,
    private readonly specialTokens: Record<string, string> = {}
  ) {
    this.template = new Template(source)
  }

  render(messages: readonly ChatTemplateMessage[], options: RenderChatOptions = {}): string {
    const addGenerationPrompt = options.addGenerationPrompt ?? !options.continueFinalMessage
    if (options.continueFinalMessage && addGenerationPrompt) {
      throw new ChatTemplateError('continue_final_message and add_generation_prompt cannot both be true')
    }
    const context: Record<string, unknown> = {
      ...this.specialTokens,
      ...(options.chatTemplateKwargs ?? {}),
      messages,
      tools: options.tools ?? null,
      add_generation_prompt: addGenerationPrompt,
    }
    if (options.tools == null) delete context.tools
    let text: string
    try {
      text = this.template.render(context)
    } catch (error) {
      if (ChatTemplateError.isInstance(error)) throw error
      throw new ChatTemplateError(`chat template failed: ${(error as Error).message}`)
    }
    if (options.continueFinalMessage) text = cutAfterFinalMessage(text, messages)
    return text
  }
}

function cutAfterFinalMessage(text: string, messages: readonly ChatTemplateMessage[]): string {
  const last = messages[messages.length - 1]
  let content = last?.content
  if (Array.isArray(content)) {
    const textPart = [...content].reverse().find((part) => typeof part.text === 'string')
    content = textPart ? (textPart.text as string) : undefined
  }
  if (typeof content !== 'string') {
    throw new ChatTemplateError('continue_final_message needs a final message with text content')
  }
  for (const candidate of [content, content.trim()]) {
    const at = candidate ? text.lastIndexOf(candidate) : -1
    if (at >= 0) return text.slice(0, at + candidate.length)
  }
  throw new ChatTemplateError(
    'continue_final_message is set but the final message does not appear in the rendered chat'
  )
}
