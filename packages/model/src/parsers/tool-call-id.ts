/** vLLM's tool-call id scheme (`make_tool_call_id`): `chatcmpl-tool-` + a random UUID's 32 hex digits. */
export function newToolCallId(): string {
  return `chatcmpl-tool-${globalThis.crypto.randomUUID().replaceAll('-', '')}`
}
