export { ChatTemplate, ChatTemplateError } from './chat-template.js'
export { HfChatTokenizer, type TokenizerFiles } from './hf-tokenizer.js'
export { loadQwen3Tokenizer, QWEN3_DATA_SHA256, QWEN3_TOKENS, readQwen3Data } from './qwen3.js'
export type {
  ChatTemplateMessage,
  ChatTokenizer,
  DecodeOptions,
  EncodeOptions,
  RenderChatOptions,
  Tokenizer,
} from './tokenizer.js'
