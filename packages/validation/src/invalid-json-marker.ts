/**
 * Key of the marker object `VLLMModel` (`@strands-vllm/model`) uses as a tool use's input when
 * vLLM streamed arguments that are not valid JSON: `{ [INVALID_TOOL_INPUT_KEY]: { raw, error } }`.
 * Re-declared here so this package has no runtime dependency on the model package; it must equal
 * the model's `INVALID_TOOL_INPUT_KEY` (a test compares the two).
 */
export const INVALID_TOOL_INPUT_KEY = '__strands_vllm_invalid_json__'

/** True when `input` is the model package's invalid-JSON marker. */
export function isInvalidJsonMarker(input: object): boolean {
  const value = (input as Record<string, unknown>)[INVALID_TOOL_INPUT_KEY]
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['raw'] === 'string'
}
