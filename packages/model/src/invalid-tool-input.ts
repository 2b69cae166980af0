/**
 * vLLM can stream tool-call arguments that are not valid JSON. The SDK throws on such
 * input and ends the rollout; instead `VLLMModel` emits the call with this marker object
 * as its input, keeps the raw text in it, and re-sends the raw text verbatim in later
 * requests (so the next prompt shows what the model really wrote).
 */
export const INVALID_TOOL_INPUT_KEY = '__strands_vllm_invalid_json__'

/** A type alias (not an interface) so the marker is assignable to the SDK's `JSONValue`. */
export type InvalidToolInput = {
  /** The arguments text exactly as the model produced it. */
  raw: string
  /** The JSON parser's message. */
  error: string
}

/** Returns the raw text and parse error when `input` is the invalid-JSON marker. */
export function getInvalidToolInput(input: unknown): InvalidToolInput | undefined {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return undefined
  const value = (input as Record<string, unknown>)[INVALID_TOOL_INPUT_KEY]
  if (!value || typeof value !== 'object') return undefined
  const { raw, error } = value as Record<string, unknown>
  return typeof raw === 'string' ? { raw, error: typeof error === 'string' ? error : 'invalid JSON' } : undefined
}

export function makeInvalidToolInput(raw: string, error: string): Record<string, InvalidToolInput> {
  return { [INVALID_TOOL_INPUT_KEY]: { raw, error } }
}

/**
 * The tool-result text the model reads for a call whose arguments were not valid JSON: Python strands-vllm
 * 0.0.6's text, byte for byte. The guard here and `@strands-vllm/validation` both answer with it.
 */
export function invalidToolInputMessage(toolName: string): string {
  return `Error: tool_name=<${toolName}> | tool input is not valid JSON`
}
