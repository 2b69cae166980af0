import { describe, expect, it } from 'vitest'
import { readSSEBatches } from './sse.js'

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
})
