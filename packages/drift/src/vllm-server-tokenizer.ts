import { isNonNegativeInteger, splitUrlCredentials } from '@strands-vllm/model/internal'
import type { AnalysisTokenizer } from './analysis-tokenizer.js'
import { ServerTokenizerError } from './errors.js'

export interface VLLMServerTokenizerOptions {
  /**
   * The server, with or without the `/v1` suffix: `http://host:8000` or `http://host:8000/v1`. A
   * `user:password@` in it is removed from the URL (never shown in `name` or errors) and sent as
   * `Authorization: Basic …` unless `apiKey` is set; a query is dropped.
   */
  baseUrl: string
  /** The served model name; when absent, the first model of `GET /v1/models` is used. */
  model?: string
  /** Sent as `Authorization: Bearer …`; never included in errors. */
  apiKey?: string
  /** Ids that end a generation (a trailing one is stripped before re-encoding). Default: none known. */
  eosTokenIds?: readonly number[]
  /** Control-token ids; when absent only `eosTokenIds` count as special. */
  specialTokenIds?: readonly number[]
  /** Concurrent `/detokenize` calls when looking up pieces. Default 8. */
  concurrency?: number
  /** Per-request timeout in milliseconds. Default 30 000. */
  timeoutMs?: number
}

/**
 * The served model's own tokenizer through vLLM's `/tokenize` and `/detokenize` (no local files):
 * exactly what the server used, at the cost of one HTTP round trip per call. Async, like every
 * `AnalysisTokenizer` method may be.
 */
export class VLLMServerTokenizer implements AnalysisTokenizer {
  readonly name: string
  readonly eosTokenIds: readonly number[]
  private readonly special: ReadonlySet<number>
  private readonly root: string
  private model: string | undefined
  private readonly headers: Record<string, string>
  private readonly pieceCache = new Map<number, string>()

  constructor(private readonly options: VLLMServerTokenizerOptions) {
    const { url, basic } = splitUrlCredentials(options.baseUrl)
    this.root = url.replace(/\/+$/, '').replace(/\/v1$/, '')
    this.name = this.root
    this.model = options.model
    this.eosTokenIds = options.eosTokenIds ?? []
    this.special = new Set(options.specialTokenIds ?? this.eosTokenIds)
    this.headers = { 'content-type': 'application/json' }
    if (options.apiKey) this.headers.authorization = `Bearer ${options.apiKey}`
    else if (basic) this.headers.authorization = `Basic ${basic}`
  }

  /** From `specialTokenIds` (or `eosTokenIds`): the server does not expose which ids are control tokens. */
  isSpecial(id: number): boolean {
    return this.special.has(id)
  }

  async encode(text: string): Promise<number[]> {
    const body = await this.post('/tokenize', { model: await this.modelId(), prompt: text, add_special_tokens: false })
    const tokens = (body as { tokens?: unknown }).tokens
    if (!Array.isArray(tokens) || !tokens.every(isNonNegativeInteger)) {
      throw new ServerTokenizerError('/tokenize returned no "tokens" array', { url: `${this.root}/tokenize` })
    }
    return tokens as number[]
  }

  async decode(ids: readonly number[]): Promise<string> {
    if (ids.length === 0) return ''
    const body = await this.post('/detokenize', { model: await this.modelId(), tokens: ids })
    const prompt = (body as { prompt?: unknown }).prompt
    if (typeof prompt !== 'string') {
      throw new ServerTokenizerError('/detokenize returned no "prompt" string', { url: `${this.root}/detokenize` })
    }
    return prompt
  }

  /** Each id decoded alone (cached): the server exposes no vocabulary pieces. */
  async pieces(ids: readonly number[]): Promise<string[]> {
    const missing = [...new Set(ids.filter((id) => !this.pieceCache.has(id)))]
    const limit = Math.max(1, this.options.concurrency ?? 8)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        const id = missing[next++] as number
        this.pieceCache.set(id, await this.decode([id]))
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, missing.length) }, worker))
    return ids.map((id) => this.pieceCache.get(id) ?? '')
  }

  /** The model name sent with each request (looked up once when not configured). */
  async modelId(): Promise<string> {
    if (this.model) return this.model
    const body = await this.request('GET', '/v1/models')
    const first = (body as { data?: Array<{ id?: unknown }> }).data?.[0]?.id
    if (typeof first !== 'string') {
      throw new ServerTokenizerError('GET /v1/models listed no model; pass `model`', { url: `${this.root}/v1/models` })
    }
    this.model = first
    return first
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body)
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.root}${path}`
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      })
    } catch (error) {
      throw new ServerTokenizerError(unreachable(this.root, `${method} ${path}`, error, this.options.timeoutMs), {
        url,
        cause: error,
      })
    }
    const text = await response.text()
    if (!response.ok) {
      const { message, fromServer } = errorMessage(text)
      // A 404 without vLLM's error body: the URL points at something that has no /tokenize.
      const hint =
        response.status === 404 && !fromServer ? ' (is this a vLLM server? it needs /tokenize and /detokenize)' : ''
      throw new ServerTokenizerError(`${method} ${url} answered ${response.status}: ${message}${hint}`, {
        url,
        status: response.status,
      })
    }
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new ServerTokenizerError(`${method} ${url} answered non-JSON: ${text.slice(0, 120)}`, {
        url,
        status: response.status,
        cause: error,
      })
    }
  }
}

/**
 * One sentence for a request that got no HTTP answer: which server, which request, the system's reason
 * (`ECONNREFUSED`, `ENOTFOUND`, a timeout), and what to check.
 */
function unreachable(root: string, request: string, error: unknown, timeoutMs = 30_000): string {
  const name = (error as { name?: unknown } | null)?.name
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `the tokenizer server at ${root} did not answer ${request} within ${timeoutMs / 1000} s; check that vLLM is up there and not overloaded`
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  const reason =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(error)
  return `cannot reach the tokenizer server at ${root} (${request}: ${reason}); check that vLLM is running there and that the URL is its base URL (http://host:8000, with or without /v1)`
}

/** vLLM's error message from either the nested `{error: {message}}` or the old flat `{message}` shape. */
function errorMessage(text: string): { message: string; fromServer: boolean } {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown }
    if (typeof body.error === 'object' && typeof body.error?.message === 'string') {
      return { message: body.error.message, fromServer: true }
    }
    if (typeof body.message === 'string') return { message: body.message, fromServer: true }
    if (typeof body.error === 'string') return { message: body.error, fromServer: true }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: text.slice(0, 200), fromServer: false }
}
