import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readSSEBatches } from './sse-batches.js'

function body(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part))
      controller.close()
    },
  })
}

async function all(parts: string[]): Promise<string[][]> {
  const batches: string[][] = []
  for await (const batch of readSSEBatches(body(parts))) batches.push(batch)
  return batches
}

describe('readSSEBatches', () => {
  it('yields the data of every event completed by each read', async () => {
    expect(await all(['data: {"a":1}\n\ndata: {"b"', ':2}\n\n', 'data: [DONE]\n\n'])).toEqual([
      ['{"a":1}'],
      ['{"b":2}'],
      ['[DONE]'],
    ])
  })

  it('handles CRLF, multi-line data, other fields, comments and a multi-byte character split across reads', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n')
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(': keep-alive\r\nevent: x\r\ndata: one\r\ndata:two\r\n\r\n'))
        controller.enqueue(bytes.slice(0, 7))
        controller.enqueue(bytes.slice(7))
        controller.close()
      },
    })
    const batches: string[][] = []
    for await (const batch of readSSEBatches(stream)) batches.push(batch)
    expect(batches.flat()).toEqual(['one\ntwo', 'é'])
  })

  it('drops an event cut off by the end of the body', async () => {
    expect((await all(['data: {"a":1}\n\ndata: {"cut'])).flat()).toEqual(['{"a":1}'])
  })

  it('reads bare-CR line endings, valid SSE that used to drop the whole stream (issue 13 item 10)', async () => {
    expect((await all(['data: {"a":1}\r\rdata: {"b"', ':2}\r', '\r', 'data: [DONE]\r\r'])).flat()).toEqual([
      '{"a":1}',
      '{"b":2}',
      '[DONE]',
    ])
  })

  it('mixes CRLF, CR and LF, ignores event:/id:/retry: fields and comments, and joins multi-line data', async () => {
    const parts = [': ping\r\nevent: message\rid: 7\nretry: 10\r\ndata: a\rdata: b\n\r\n', 'data: c\r\n\r\n']
    expect((await all(parts)).flat()).toEqual(['a\nb', 'c'])
  })

  it('reassembles one event of several megabytes sent in small pieces', async () => {
    const payload = JSON.stringify({ prompt_token_ids: Array.from({ length: 400_000 }, (_, i) => i % 151_000) })
    const event = `data: ${payload}\n\n`
    const parts: string[] = []
    for (let i = 0; i < event.length; i += 4096) parts.push(event.slice(i, i + 4096))
    const batches = await all(parts)
    expect(batches.flat()).toEqual([payload])
  })

  // Issue 13 item 10, as a property: any line-ending style and any split of the bytes give the same events.
  it('property: every line-ending style and every split of the body yield the same data payloads', async () => {
    const payload = fc.string({ minLength: 1, maxLength: 40 }).map((t) => JSON.stringify({ t }))
    await fc.assert(
      fc.asyncProperty(
        fc.array(payload, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (events, eol, cuts) => {
          const text = events.map((e) => `data: ${e}${eol}${eol}`).join('')
          const bytes = new TextEncoder().encode(text)
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y)
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              let prev = 0
              for (const p of [...points, bytes.length]) {
                controller.enqueue(bytes.slice(prev, p))
                prev = p
              }
              controller.close()
            },
          })
          const got: string[] = []
          for await (const batch of readSSEBatches(stream)) got.push(...batch)
          expect(got).toEqual(events)
        }
      ),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 1000) }
    )
  })
})
