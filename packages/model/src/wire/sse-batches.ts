import { createParser } from 'eventsource-parser'
import { VLLMStreamError } from '../errors.js'

const CR = 13

/**
 * Reads a `text/event-stream` body and yields, per network read, the `data` payloads of every event completed by
 * that read. Batching per read lets the caller turn all chunks that arrived together into events in one
 * synchronous pass (and merge their text).
 *
 * Parsing is `eventsource-parser`'s: linear in event size (a 32 MB prompt-id event costs one join), and the whole
 * grammar — `\n`, `\r\n` and bare `\r` line endings, multi-line `data`, comments, `event:` / `id:` / `retry:` — of
 * which only `data` matters to vLLM. An event cut off by the end of the body is dropped, as the SSE spec says.
 */
export async function* readSSEBatches(
  body: ReadableStream<Uint8Array>,
  idleTimeoutMs?: number
): AsyncGenerator<string[]> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let batch: string[] = []
  const parser = createParser({
    onEvent: (event) => {
      batch.push(event.data)
    },
  })
  let lastCode = 0
  let finished = false
  const feed = (text: string): void => {
    if (text.length === 0) return
    lastCode = text.charCodeAt(text.length - 1)
    parser.feed(text)
  }

  try {
    for (;;) {
      const { value, done } =
        idleTimeoutMs === undefined ? await reader.read() : await readWithin(reader, idleTimeoutMs)
      if (done) break
      feed(decoder.decode(value, { stream: true }))
      if (batch.length > 0) {
        const ready = batch
        batch = []
        yield ready
      }
    }
    finished = true
    feed(decoder.decode())
    // The parser holds a final `\r` back (it may be half of `\r\n`); at the end of the body it is a line end.
    if (lastCode === CR) parser.feed('\n')
    if (batch.length > 0) yield batch
  } finally {
    // Stopping early (consumer break, error) closes the connection so the server sees it.
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/**
 * One read that fails if no bytes arrive within `ms`. The HTTP client's timeout stops at the response headers,
 * so without this a server that stalls mid-stream would hang a rollout forever.
 */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new VLLMStreamError(`vLLM sent no data for ${ms} ms mid-stream (timeoutMs); the response is incomplete`, {
            isRetryable: true,
          })
        ),
      ms
    )
  })
  try {
    return await Promise.race([reader.read(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
