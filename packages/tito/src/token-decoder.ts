/**
 * What the divergence classifier needs to turn ids into text (windows and the `retokenization` check).
 * `@strands-vllm/tokenizer`'s tokenizers satisfy it structurally; so does any object with a `decode` method.
 * Control tokens are recognised by id (`SpecialTokenIds`), never through the decoder.
 */
export interface TokenDecoder {
  decode(ids: readonly number[]): string
}

/** A decoder that needs I/O, e.g. a vLLM server's `/detokenize`. */
export interface AsyncTokenDecoder {
  decode(ids: readonly number[]): Promise<string>
}

export interface VLLMDetokenizerOptions {
  /** The server root, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted and removed). */
  baseUrl: string
  /** The served model name. */
  model: string
  /** Extra headers (e.g. an Authorization header; it is only sent, never logged or put in errors). */
  headers?: Record<string, string>
  fetch?: typeof globalThis.fetch
}

/**
 * An `AsyncTokenDecoder` backed by vLLM's `POST /detokenize` (`{model, tokens}` → `{prompt}`),
 * for when no local tokenizer is at hand.
 */
export function vllmDetokenizer(options: VLLMDetokenizerOptions): AsyncTokenDecoder {
  const root = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  const doFetch = options.fetch ?? globalThis.fetch
  return {
    async decode(ids) {
      const response = await doFetch(`${root}/detokenize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify({ model: options.model, tokens: ids }),
      })
      if (!response.ok) throw new Error(`POST ${root}/detokenize failed with HTTP ${response.status}`)
      const body = (await response.json()) as { prompt?: unknown }
      if (typeof body.prompt !== 'string') throw new Error(`POST ${root}/detokenize returned no "prompt" string`)
      return body.prompt
    },
  }
}
