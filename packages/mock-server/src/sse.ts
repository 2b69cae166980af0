import { setTimeout as sleep } from 'node:timers/promises'
import { errorBody, MockVLLMRequestError } from './errors.js'
import type { Exchange } from './exchange.js'

/**
 * Writes `data: …` events for one response, applying the stream faults (cut, close, malformed chunk,
 * mid-stream error, slow, bare-CR line ends) and recording every payload as sent. `send` says whether the
 * chunk went out.
 */
export class SseWriter {
  private count = 0
  private stopped = false
  /** The event terminator: a blank line, `\r\r` under `bare-cr` (valid SSE that naive readers drop). */
  private readonly end: string

  constructor(private readonly ex: Exchange) {
    this.end = ex.faults.has('bare-cr') ? '\r\r' : '\n\n'
    ex.record.status = 200
    ex.record.chunks = []
    ex.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  }

  /** Whether later chunks can still go out. */
  get open(): boolean {
    return !this.stopped && !this.ex.closed
  }

  async send(payload: unknown): Promise<boolean> {
    if (!(await this.beforeChunk())) return false
    await this.write(JSON.stringify(payload))
    this.count++
    return true
  }

  /** `data: [DONE]` and the end of the body. */
  async finish(): Promise<void> {
    if (!(await this.beforeChunk(true))) return
    await this.write('[DONE]')
    this.stopped = true
    this.ex.res.end()
  }

  /** Applies the fault due at this point; false once the stream is over. */
  private async beforeChunk(last = false): Promise<boolean> {
    if (!this.open) return false
    const { faults, res } = this.ex
    const slow = faults.get('slow')
    if (slow && this.count > 0 && !last) await sleep(slow.delayMs)
    if (!this.open) return false
    const cut = faults.get('cut-stream')
    if (cut && this.count >= cut.afterChunks) {
      this.stopped = true
      res.end()
      return false
    }
    const close = faults.get('close-mid-body')
    if (close && this.count >= close.afterChunks) {
      this.stopped = true
      // Let the chunks already written reach the client first, so the cut lands mid-body.
      await new Promise<void>((resolve) => res.write('', () => resolve()))
      res.destroy()
      return false
    }
    const malformed = faults.get('malformed-chunk')
    if (malformed && this.count === malformed.afterChunks) await this.write('{not json')
    const error = faults.get('mid-stream-error')
    if (error && this.count >= error.afterChunks) {
      const body = errorBody(
        new MockVLLMRequestError(500, error.message ?? 'mock: injected mid-stream error'),
        faults.has('flat-error-shape')
      )
      await this.write(JSON.stringify(body))
      await this.write('[DONE]')
      this.stopped = true
      res.end()
      return false
    }
    return true
  }

  private async write(data: string): Promise<void> {
    this.ex.record.chunks?.push(data)
    if (!this.ex.res.write(`data: ${data}${this.end}`) && !this.ex.closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.ex.res.off('drain', done)
          this.ex.res.off('close', done)
          resolve()
        }
        this.ex.res.once('drain', done)
        this.ex.res.once('close', done)
      })
    }
  }
}
