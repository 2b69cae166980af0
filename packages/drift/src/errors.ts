import { hasErrorMarker } from '@strands-vllm/model/internal'

const driftMarker: unique symbol = Symbol.for('strands-vllm.error.DriftError')
const inputMarker: unique symbol = Symbol.for('strands-vllm.error.DriftInputError')
const sourceMarker: unique symbol = Symbol.for('strands-vllm.error.TokenizerSourceError')
const serverMarker: unique symbol = Symbol.for('strands-vllm.error.ServerTokenizerError')

/** Base class of every error this package throws, recognisable across duplicated copies of the package. */
export class DriftError extends Error {
  readonly [driftMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DriftError'
  }
  static isInstance(error: unknown): error is DriftError {
    return hasErrorMarker(error, driftMarker)
  }
}

/** A record that cannot be analysed: bad JSON, wrong schema, non-integer ids. Names the line so the data can be fixed. */
export class DriftInputError extends DriftError {
  readonly [inputMarker] = true
  /** 1-based line number in the JSONL input, when the record came from one. */
  readonly line: number | undefined
  /** The file or stream the record came from. */
  readonly source: string | undefined
  constructor(message: string, options: { line?: number; source?: string; cause?: unknown } = {}) {
    const where = [options.source, options.line === undefined ? undefined : `line ${options.line}`]
      .filter(Boolean)
      .join(':')
    super(where ? `${where}: ${message}` : message, { cause: options.cause })
    this.name = 'DriftInputError'
    this.line = options.line
    this.source = options.source
  }
  static override isInstance(error: unknown): error is DriftInputError {
    return hasErrorMarker(error, inputMarker)
  }
}

/** A `--tokenizer` value that names no usable tokenizer (missing file, unreadable JSON, bad URL). */
export class TokenizerSourceError extends DriftError {
  readonly [sourceMarker] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TokenizerSourceError'
  }
  static override isInstance(error: unknown): error is TokenizerSourceError {
    return hasErrorMarker(error, sourceMarker)
  }
}

/** A vLLM `/tokenize` or `/detokenize` call that failed; carries the HTTP status and vLLM's message, never the API key. */
export class ServerTokenizerError extends DriftError {
  readonly [serverMarker] = true
  readonly status: number | undefined
  readonly url: string
  constructor(message: string, options: { url: string; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'ServerTokenizerError'
    this.url = options.url
    this.status = options.status
  }
  static override isInstance(error: unknown): error is ServerTokenizerError {
    return hasErrorMarker(error, serverMarker)
  }
}
