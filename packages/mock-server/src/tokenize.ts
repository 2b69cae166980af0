import { isNonNegativeInteger } from '@strands-vllm/tokenizer/internal'
import { badRequest } from './errors.js'
import type { Exchange } from './exchange.js'
import { renderPromptIds, templateInput } from './render-prompt.js'
import type { ChatMessage, ToolDefinition } from './types.js'

interface TokenizeRequest {
  model?: string
  prompt?: string
  messages?: ChatMessage[]
  tools?: ToolDefinition[]
  add_generation_prompt?: boolean
  continue_final_message?: boolean
  add_special_tokens?: boolean
  chat_template_kwargs?: Record<string, unknown> | null
  return_token_strs?: boolean
  tokens?: unknown
}

function request(ex: Exchange): TokenizeRequest {
  return ex.requestBody<TokenizeRequest>()
}

/**
 * `POST /tokenize`: a prompt (`add_special_tokens` default true) or messages + tools rendered through the chat
 * template (`add_special_tokens` default false, `add_generation_prompt` default true), as vLLM does.
 */
export function tokenize(ex: Exchange): void {
  const body = request(ex)
  const { tokenizer } = ex.config
  let tokens: number[]
  if (body.messages !== undefined) {
    tokens = renderPromptIds(tokenizer, templateInput({ ...body, messages: body.messages }))
  } else if (typeof body.prompt === 'string') {
    tokens = tokenizer.encode(body.prompt, { addSpecialTokens: body.add_special_tokens ?? true })
  } else {
    throw badRequest('Either `prompt` (a string) or `messages` is required')
  }
  ex.sendJson(200, {
    count: tokens.length,
    max_model_len: ex.config.maxModelLen,
    tokens,
    token_strs: body.return_token_strs ? tokens.map((id) => tokenizer.idToToken(id) ?? '') : null,
  })
}

/** `POST /detokenize`: ids → text, special tokens kept. */
export function detokenize(ex: Exchange): void {
  const body = request(ex)
  const ids = body.tokens
  if (!Array.isArray(ids) || !ids.every(isNonNegativeInteger)) {
    throw badRequest('`tokens` must be a list of token ids', 'tokens')
  }
  for (const id of ids as number[]) {
    if (ex.config.tokenizer.idToToken(id) === undefined)
      throw badRequest(`Token id ${id} is out of vocabulary`, 'tokens')
  }
  ex.sendJson(200, { prompt: ex.config.tokenizer.decode(ids as number[]) })
}
