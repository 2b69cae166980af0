/** Test helpers: plain fetch + a tiny SSE reader, so tests see exactly what went over the wire. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

/** Every `data:` payload of an SSE body, raw. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text()
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
}

export type Chunk = {
  prompt_token_ids?: number[] | null
  choices: Array<{
    index: number
    delta: Record<string, unknown>
    token_ids?: number[] | null
    prompt_token_ids?: number[] | null
    finish_reason: string | null
    stop_reason?: unknown
    logprobs: { content: Array<{ logprob: number; top_logprobs: unknown[] }> } | null
  }>
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

export const parseChunks = (data: string[]): Chunk[] =>
  data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Chunk)

export const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'calculator',
      description: 'Evaluate an arithmetic expression',
      parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    },
  },
]

/** Response JSON read loosely in tests, where the assertions themselves check the shape. */
// biome-ignore lint/suspicious/noExplicitAny: test-only view of wire JSON
export type Json = any
