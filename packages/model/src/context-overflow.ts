/**
 * vLLM signals context overflow with HTTP 400 and an int `code`, never OpenAI's
 * `context_length_exceeded`, so the only reliable signal is the message text.
 * These patterns cover the six known texts (vllm-protocol.md §0 and §11).
 */
const CONTEXT_OVERFLOW_PATTERNS: readonly RegExp[] = [
  // 1 and 3: "This model's maximum context length is N tokens. However, ..."
  /maximum context length is \d+ tokens/i,
  // 2: "'max_tokens' or 'max_completion_tokens' is too large: N. ..."
  /'max_tokens' or 'max_completion_tokens' is too large/i,
  // 4: "You passed N input tokens and requested M output tokens. However, the model's context length is only K tokens"
  /context length is only \d+ tokens/i,
  /You passed \d+ input tokens and requested \d+ output tokens/i,
  // 5: "The decoder prompt (length N) is longer than the maximum model length of M."
  /decoder prompt \(length \d+\) is longer than the maximum model length/i,
  // 6: "Input length (N) exceeds model's maximum context length (M)."
  /Input length \(\d+\) exceeds model's maximum context length/i,
]

/** True when a vLLM error message says the prompt (plus requested output) does not fit the context window. */
export function isContextOverflowMessage(message: string | undefined | null): boolean {
  if (!message) return false
  for (const pattern of CONTEXT_OVERFLOW_PATTERNS) if (pattern.test(message)) return true
  return false
}
