import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventMapper } from '../event-mapper.js'
import { TokenCapture } from '../token-capture.js'
import type { WireDelta } from '../wire.js'
import { CallSink, type CompletionTextParser } from './call-sink.js'
import { readCompletionsJson } from './completions-json.js'
import { readCompletionsBatch } from './completions-sse.js'
import { readSSEBatches } from './sse-batches.js'

/** The least a parser can be: all text is content. The real ones live in ../parsers. */
const passThrough = (): CompletionTextParser & { pushed: string[] } => {
  const pushed: string[] = []
  return {
    pushed,
    push: (text: string): WireDelta[] => {
      pushed.push(text)
      return [{ content: text }]
    },
    finish: () => [],
  }
}

const capture = () =>
  new TokenCapture({
    logprobs: true,
    topLogprobs: false,
    sampling: {},
    eosTokenIds: [151645],
    startMs: 0,
    mode: 'token-in',
  })

/** `/v1/completions` readers (token-in's wire path), fed real mock responses over HTTP, streamed and not. */
describe('completions readers', () => {
  let server: MockVLLM
  let client: OpenAI
  let prompt: number[]
  beforeAll(async () => {
    server = await startMockVLLM({ policy: () => ({ content: 'The answer is 391.' }) })
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'EMPTY', maxRetries: 0 })
    prompt = server.tokenizer.encodeChat([{ role: 'user', content: 'What is 17 * 23?' }], { addGenerationPrompt: true })
  })
  afterAll(async () => {
    await server?.close()
  })

  const body = (stream: boolean) => ({
    model: 'Qwen/Qwen3-8B',
    prompt,
    max_tokens: 64,
    return_token_ids: true,
    logprobs: 1,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  })

  it('streamed: ids, prompt ids and logprobs per choice into the capture; text through the parser', async () => {
    const response = await client.post('/completions', { body: body(true) }).asResponse()
    const parser = passThrough()
    const sink = new CallSink(capture(), new EventMapper(() => {}), parser)
    for await (const batch of readSSEBatches(response.body!)) readCompletionsBatch(batch, sink)
    if (sink.usage) sink.capture.setUsage(sink.usage)
    const sent = server.requests.at(-1)!
    const fields = sink.capture.toFields()
    expect(sink.done).toBe(true)
    expect(sink.finished).toBe(true)
    expect(fields.tito.status).toBe('exact')
    expect(fields.tito.mode).toBe('token-in')
    expect(fields.promptTokenIds).toEqual(prompt)
    expect(fields.tokenIds).toEqual(sent.tokenIds)
    expect(fields.logprobs).toEqual(sent.logprobs)
    expect(parser.pushed.join('')).toBe('The answer is 391.')
    const text = sink.mapper.out
      .map((e) => (e.type === 'modelContentBlockDeltaEvent' && e.delta.type === 'textDelta' ? e.delta.text : ''))
      .join('')
    expect(text).toBe('The answer is 391.')
  })

  it('non-streaming: the same capture from per-choice ids and token_logprobs / tokens', async () => {
    const response = await client.post('/completions', { body: body(false) }).asResponse()
    const sink = new CallSink(capture(), new EventMapper(() => {}), passThrough())
    readCompletionsJson(await response.text(), sink)
    if (sink.usage) sink.capture.setUsage(sink.usage)
    const sent = server.requests.at(-1)!
    const fields = sink.capture.toFields()
    expect(fields.tito.status).toBe('exact')
    expect(fields.promptTokenIds).toEqual(prompt)
    expect(fields.tokenIds).toEqual(sent.tokenIds)
    expect(fields.logprobs).toEqual(sent.logprobs)
    expect(fields.logprobTokens).toHaveLength(fields.tokenIds!.length)
    expect(sink.capture.finishReason).toBe('stop')
  })
})
