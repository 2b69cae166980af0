import { VLLMStreamError } from './errors.js'

/**
 * Reads a `text/event-stream` body and yields, per network read, the `data` payloads of
 * every event completed by that read. Batching per read lets the caller turn all chunks
 * that arrived together into events in one synchronous pass (and merge their text), which
 * is most of what keeps a 20k-token stream close to the cost of bare iteration.
 *
 * Only `data` fields matter to vLLM's chat stream; `event`, `id`, `retry` and comments are
 * skipped. An event cut off by the end of the body is dropped, as the SSE spec says.
 */
export async function* readSSEBatches(
  body: ReadableStream<Uint8Array>,
  idleTimeoutMs?: number
): AsyncGenerator<string[]> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  let finished = false

  const take = (batch: string[], final: boolean): void => {
    let start = 0
    for (;;) {
      let end = buffer.indexOf('\n', start)
      if (end < 0) {
        if (!final || start >= buffer.length) break
        end = buffer.length
      }
      const raw = buffer.charCodeAt(end - 1) === 13 ? buffer.slice(start, end - 1) : buffer.slice(start, end)
      start = end + 1
      if (raw.length === 0) {
        if (data.length > 0) {
          batch.push(data.length === 1 ? data[0]! : data.join('\n'))
          data = []
        }
      } else if (raw.startsWith('data:')) {
        data.push(raw.charCodeAt(5) === 32 ? raw.slice(6) : raw.slice(5))
      }
    }
    buffer = start >= buffer.length ? '' : buffer.slice(start)
  }

  try {
    for (;;) {
      const { value, done } =
        idleTimeoutMs === undefined ? await reader.read() : await readWithin(reader, idleTimeoutMs)
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      const batch: string[] = []
      take(batch, false)
      if (batch.length > 0) yield batch
    }
    finished = true
    buffer += decoder.decode()
    const batch: string[] = []
    take(batch, true)
    if (batch.length > 0) yield batch
  } finally {
    // Stopping early (consumer break, error) closes the connection so the server sees it.
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/**
 * One read that fails if no bytes arrive within `ms`. The HTTP client's timeout stops at the
 * response headers, so without this a server that stalls mid-stream would hang a rollout forever.
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
