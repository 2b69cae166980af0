export {
  createResponseParser,
  type ResponseParserOptions,
  reasoningParsers,
  toolParsers,
} from './create-response-parser.js'
export { createHermesToolParser } from './hermes-tool-parser.js'
export { createQwen3CoderToolParser } from './qwen3-coder-tool-parser.js'
export { Qwen3ReasoningParser } from './qwen3-reasoning-parser.js'
export type { ParserContext, ParserFactory, ResponseParser } from './types.js'
