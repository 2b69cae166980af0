/**
 * Which usage a stream carries (vLLM `should_include_usage`): the trailing usage chunk only when
 * `stream_options.include_usage` is true (it defaults to false), running usage on every chunk only when
 * `continuous_usage_stats` is also true.
 */
export function streamUsage(
  options: { include_usage?: boolean | null; continuous_usage_stats?: boolean | null } | null | undefined
): {
  include: boolean
  continuous: boolean
} {
  const include = options?.include_usage === true
  return { include, continuous: include && options?.continuous_usage_stats === true }
}

/** The usage object vLLM sends (`prompt_tokens`, `total_tokens`, `completion_tokens`). */
export const usageOf = (prompt: number, completion: number): Record<string, number> => ({
  prompt_tokens: prompt,
  total_tokens: prompt + completion,
  completion_tokens: completion,
})
