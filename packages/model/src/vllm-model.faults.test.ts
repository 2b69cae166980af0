import { ContextWindowOverflowError, Message, ModelThrottledError, TextBlock, type ToolSpec } from '@strands-agents/sdk'
import { type MockVLLM, startMockVLLM } from '@strands-vllm/mock-server'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  VLLMAbortedError,
  VLLMConnectionError,
  VLLMError,
  VLLMRequestError,
  VLLMServerError,
  VLLMServerUnavailableError,
  VLLMStreamError,
} from './errors.js'
import { getVLLMResponseFields } from './tito-fields.js'
import { VLLMModel } from './vllm-model.js'

const SECRET = 'sk-test-DO-NOT-LEAK-123456'
const messages = [new Message({ role: 'user', content: [new TextBlock('Tell me a story about a robot.')] })]
const tools: ToolSpec[] = [{ name: 'add', description: 'Add', inputSchema: { type: 'object', properties: {} } }]

async function drain(model: VLLMModel, options?: Parameters<VLLMModel['stream']>[1]): Promise<unknown[]> {
  const events: unknown[] = []
  for await (const event of model.stream(messages, options)) events.push(event)
  return events
}

async function failure(model: VLLMModel, options?: Parameters<VLLMModel['stream']>[1]): Promise<unknown> {
  try {
    await drain(model, options)
  } catch (error) {
    return error
  }
  throw new Error('expected the stream to fail')
}

function expectNoSecret(error: unknown): void {
  const e = error as Error & { responseBody?: string; partial?: unknown }
  const seen = [e.message, e.stack ?? '', e.responseBody ?? '', JSON.stringify(e), JSON.stringify(e.partial ?? null)]
  for (const text of seen) expect(text).not.toContain(SECRET)
}

describe('VLLMModel failure mapping', () => {
  let server: MockVLLM
  let flat: MockVLLM
  let noToolParser: MockVLLM

  const model = (fault: string | undefined, on: MockVLLM = server): VLLMModel =>
    new VLLMModel({
      baseUrl: on.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      apiKey: SECRET,
      returnTokenIds: true,
      ...(fault ? { headers: { 'x-mock-fault': fault } } : {}),
    })

  beforeAll(async () => {
    server = await startMockVLLM({
      policy: () => ({ content: 'Once upon a time there was a small robot who loved to paint.' }),
    })
    flat = await startMockVLLM({ faults: { type: 'flat-error-shape' } })
    noToolParser = await startMockVLLM({ toolParser: null })
  })
  afterAll(async () => {
    await server?.close()
    await flat?.close()
    await noToolParser?.close()
  })

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'context-length variant %i (nested shape) → ContextWindowOverflowError',
    async (variant) => {
      const error = await failure(model(`context-variant:${variant}`))
      expect(error).toBeInstanceOf(ContextWindowOverflowError)
      expectNoSecret(error)
    }
  )

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'context-length variant %i (old flat shape) → ContextWindowOverflowError',
    async (variant) => {
      const error = await failure(model(`context-variant:${variant}`, flat))
      expect(error).toBeInstanceOf(ContextWindowOverflowError)
    }
  )

  it('a real overflow (prompt longer than max_model_len) → ContextWindowOverflowError', async () => {
    const small = await startMockVLLM({ maxModelLen: 16 })
    try {
      const m = new VLLMModel({ baseUrl: small.baseUrl, modelId: 'Qwen/Qwen3-8B', maxTokens: 8 })
      const error = await failure(m)
      expect(error).toBeInstanceOf(ContextWindowOverflowError)
    } finally {
      await small.close()
    }
  })

  it('429 → ModelThrottledError with the cause kept', async () => {
    const error = await failure(model('status:429'))
    expect(error).toBeInstanceOf(ModelThrottledError)
    expect((error as Error).cause).toBeDefined()
    expectNoSecret(error)
  })

  it('503 → VLLMServerUnavailableError (retryable, status, body excerpt), in both error shapes', async () => {
    for (const on of [server, flat]) {
      const error = await failure(model('status:503', on))
      expect(VLLMServerUnavailableError.isInstance(error)).toBe(true)
      const e = error as VLLMServerUnavailableError
      expect(e.status).toBe(503)
      expect(e.isRetryable).toBe(true)
      expect(e.responseBody?.length).toBeGreaterThan(0)
      expect(e.responseBody!.length).toBeLessThanOrEqual(501)
      expect(e.url).toBe(`${on.baseUrl}/chat/completions`)
      expectNoSecret(error)
    }
  })

  it('500 → VLLMServerError, not retryable', async () => {
    const error = await failure(model('status:500'))
    expect(VLLMServerError.isInstance(error)).toBe(true)
    expect(VLLMServerUnavailableError.isInstance(error)).toBe(false)
    expect((error as VLLMServerError).isRetryable).toBe(false)
  })

  it('tools + auto tool choice without a tool parser → VLLMRequestError telling how to start vLLM', async () => {
    const error = await failure(model(undefined, noToolParser), { toolSpecs: tools, toolChoice: { auto: {} } })
    expect(VLLMRequestError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/--enable-auto-tool-choice --tool-call-parser/)
    expect((error as VLLMRequestError).status).toBe(400)
  })

  it('an unknown model name → VLLMRequestError (404) naming the fix', async () => {
    const m = new VLLMModel({ baseUrl: server.baseUrl, modelId: 'no-such-model', maxRetries: 0 })
    const error = await failure(m)
    expect(VLLMRequestError.isInstance(error)).toBe(true)
    expect((error as VLLMRequestError).status).toBe(404)
    expect((error as Error).message).toMatch(/modelId/)
  })

  it('connection refused → VLLMConnectionError (retryable) without the key', async () => {
    const gone = await startMockVLLM()
    const baseUrl = gone.baseUrl
    await gone.close()
    const error = await failure(new VLLMModel({ baseUrl, modelId: 'Qwen/Qwen3-8B', apiKey: SECRET }))
    expect(VLLMConnectionError.isInstance(error)).toBe(true)
    expect((error as VLLMConnectionError).isRetryable).toBe(true)
    expectNoSecret(error)
  })

  it.each([
    ['cut-stream:3', /without a finish_reason/],
    // `slow` lets the first chunks reach the client before the socket is destroyed.
    ['slow:5,close-mid-body:3', /broke off/],
    ['malformed-chunk:3', /not valid JSON/],
    ['mid-stream-error:3', /mid-stream/],
  ])('%s → VLLMStreamError whose partial is incomplete and holds exactly the ids received', async (fault, message) => {
    const error = await failure(model(fault))
    expect(VLLMStreamError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
    const partial = (error as VLLMStreamError).partial
    expect(partial?.tito.status).toBe('incomplete')
    const sent = server.requests.at(-1)!
    expect(partial?.promptTokenIds).toEqual(sent.promptTokenIds)
    expect(partial?.tokenIds?.length).toBeGreaterThan(0)
    if (fault.startsWith('malformed')) {
      // The client stops at the bad line; the server kept sending after it.
      expect(sent.tokenIds?.slice(0, partial?.tokenIds?.length)).toEqual(partial?.tokenIds)
    } else {
      expect(partial?.tokenIds).toEqual(sent.tokenIds)
    }
    expectNoSecret(error)
  })

  it('a connection destroyed right away → a retryable typed error (connection or stream, by timing)', async () => {
    const error = await failure(model('close-mid-body:0'))
    expect(VLLMConnectionError.isInstance(error) || VLLMStreamError.isInstance(error)).toBe(true)
    expect((error as VLLMError).isRetryable).toBe(true)
  })

  it('drop-parser-ids (old vLLM bug) → call marked incomplete against usage', async () => {
    const on = await startMockVLLM({
      policy: () => ({ reasoning: 'hmm', content: 'ok', toolCalls: [{ name: 'add', arguments: { a: 1 } }] }),
    })
    try {
      const events = await drain(model('drop-parser-ids', on), { toolSpecs: tools })
      const stop = events.find((e) => (e as { type: string }).type === 'modelMessageStopEvent') as {
        additionalModelResponseFields?: unknown
      }
      const fields = getVLLMResponseFields(stop.additionalModelResponseFields)!
      expect(fields.tito.status).toBe('incomplete')
      expect(fields.tito.reasons.map((r) => r.code)).toContain('completion_count_mismatch')
      expect(fields.tokenIds).toEqual(on.requests.at(-1)?.tokenIds)
    } finally {
      await on.close()
    }
  })

  it('missing-prompt-ids → incomplete with prompt_ids_missing', async () => {
    const events = await drain(model('missing-prompt-ids'))
    const stop = events.find((e) => (e as { type: string }).type === 'modelMessageStopEvent') as {
      additionalModelResponseFields?: unknown
    }
    const fields = getVLLMResponseFields(stop.additionalModelResponseFields)!
    expect(fields.tito.status).toBe('incomplete')
    expect(fields.tito.reasons.map((r) => r.code)).toContain('prompt_ids_missing')
  })

  it('the cancel signal aborts the HTTP request: the server sees the disconnect', async () => {
    const controller = new AbortController()
    const m = model('slow:20')
    const seen: unknown[] = []
    let error: unknown
    try {
      for await (const event of m.stream(messages, { cancelSignal: controller.signal })) {
        seen.push(event)
        if (seen.length === 3) controller.abort()
      }
    } catch (e) {
      error = e
    }
    expect(VLLMAbortedError.isInstance(error)).toBe(true)
    expect((error as VLLMAbortedError).partial?.tito.status).toBe('incomplete')
    const sent = server.requests.at(-1)!
    await sent.done
    expect(sent.aborted).toBe(true)
  })

  it('a stream that stalls longer than timeoutMs fails retryable, with the ids received so far', async () => {
    const m = new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      apiKey: SECRET,
      returnTokenIds: true,
      timeoutMs: 150,
      headers: { 'x-mock-fault': 'slow:1000' },
    })
    const error = await failure(m)
    expect(VLLMStreamError.isInstance(error)).toBe(true)
    expect((error as VLLMStreamError).isRetryable).toBe(true)
    expect((error as VLLMStreamError).partial?.tito.status).toBe('incomplete')
    expect((error as VLLMStreamError).partial?.promptTokenIds?.length).toBeGreaterThan(0)
  })

  it('credentials in baseUrl never reach an error', async () => {
    const gone = await startMockVLLM()
    const url = new URL(gone.baseUrl)
    await gone.close()
    url.username = 'user'
    url.password = SECRET
    const error = await failure(new VLLMModel({ baseUrl: url.toString(), modelId: 'Qwen/Qwen3-8B' }))
    expect(VLLMConnectionError.isInstance(error)).toBe(true)
    expect((error as VLLMConnectionError).url).not.toContain('user')
    expectNoSecret(error)
  })

  it('a user-supplied client is used as is (its lifecycle stays with the caller)', async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: SECRET, maxRetries: 0 })
    const m = new VLLMModel({ client, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true })
    await drain(m)
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`)
    const error = await failure(
      new VLLMModel({
        client: new OpenAI({
          baseURL: server.baseUrl,
          apiKey: SECRET,
          maxRetries: 0,
          defaultHeaders: { 'x-mock-fault': 'status:503' },
        }),
        modelId: 'Qwen/Qwen3-8B',
      })
    )
    expect(VLLMError.isInstance(error)).toBe(true)
  })

  // Issue 13 item 9: vLLM treats its mid-stream GenerationError (500 "Internal server error") as retryable.
  it('a mid-stream 500 error payload is a retryable VLLMStreamError', async () => {
    const error = await failure(model('mid-stream-error:2'))
    expect(VLLMStreamError.isInstance(error)).toBe(true)
    expect((error as VLLMStreamError).isRetryable).toBe(true)
    expect((error as VLLMStreamError).status).toBe(500)
    expect((error as Error).message).toMatch(/retryable/)
  })
})
