import { describe, expect, it } from 'vitest'
import { VLLMConfigError } from './errors.js'
import { VLLMModel, type VLLMModelOptions } from './vllm-model.js'

describe('VLLMModel config', () => {
  it('requires modelId and baseUrl with a typed error', () => {
    expect(() => new VLLMModel({ baseUrl: 'http://x/v1' } as unknown as VLLMModelOptions)).toThrow(VLLMConfigError)
    expect(() => new VLLMModel({ modelId: 'm' } as unknown as VLLMModelOptions)).toThrow(/baseUrl/)
    expect(() => new VLLMModel({ modelId: 'm', baseUrl: 'not a url' })).toThrow(VLLMConfigError)
    expect(() => new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', logprobs: { top: -1 } })).toThrow(/logprobs/)
    expect(() => new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', logprobs: true })).toThrow(/returnTokenIds/)
    // n > 1 would sample sequences the agent can never continue: refused, not silently dropped
    expect(() => new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', params: { n: 2 } })).toThrow(
      /params\.n must be 1/
    )
    expect(new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', params: { n: 1 } }).getConfig().params).toEqual({
      n: 1,
    })
  })

  it('has documented defaults and merges updates', () => {
    const model = new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', params: { top_k: 20 } })
    expect(model.getConfig()).toMatchObject({ apiKey: 'EMPTY', returnTokenIds: false, modelId: 'm' })
    expect(model.modelId).toBe('m')
    model.updateConfig({ temperature: 0.7, returnTokenIds: true })
    expect(model.getConfig()).toMatchObject({ temperature: 0.7, returnTokenIds: true, params: { top_k: 20 } })
    expect(() => model.updateConfig({ modelId: '' })).toThrow(VLLMConfigError)
  })

  it('removing a shared client falls back to a client built from baseUrl', async () => {
    const { default: OpenAI } = await import('openai')
    const shared = new OpenAI({ baseURL: 'http://127.0.0.1:1/v1', apiKey: 'EMPTY' })
    const model = new VLLMModel({ modelId: 'm', baseUrl: 'http://127.0.0.1:2/v1', client: shared })
    const clientOf = (m: VLLMModel): unknown => (m as unknown as { client: unknown }).client
    expect(clientOf(model)).toBe(shared)
    model.updateConfig({ client: undefined } as unknown as VLLMModelOptions)
    expect(clientOf(model)).not.toBe(shared)
    expect((clientOf(model) as { baseURL: string }).baseURL).toBe('http://127.0.0.1:2/v1')
  })

  it('warns once per managed params key', () => {
    const warnings: string[] = []
    const logger = { warn: (m: string) => warnings.push(m) }
    const model = new VLLMModel({ modelId: 'm', baseUrl: 'http://x/v1', params: { model: 'x', stream: false }, logger })
    model.updateConfig({ params: { model: 'y' } })
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/params\.model/)
  })

  it('validates stream, pauseRetry, session, countTokens and contextWindowLimit with messages that say what to change', () => {
    const base = { modelId: 'm', baseUrl: 'http://x/v1' }
    expect(() => new VLLMModel({ ...base, stream: 'no' as unknown as boolean })).toThrow(/'stream'/)
    expect(() => new VLLMModel({ ...base, pauseRetry: { budgetMs: -1 } })).toThrow(/pauseRetry\.budgetMs/)
    expect(() => new VLLMModel({ ...base, pauseRetry: { maxWaitMs: Number.NaN } })).toThrow(/pauseRetry\.maxWaitMs/)
    expect(() => new VLLMModel({ ...base, session: { header: 'bad header' } })).toThrow(/session\.header/)
    expect(() => new VLLMModel({ ...base, session: { id: '' } })).toThrow(/session\.id/)
    expect(() => new VLLMModel({ ...base, countTokens: 'exact' as 'server' })).toThrow(/countTokens/)
    expect(() => new VLLMModel({ ...base, contextWindowLimit: 0 })).toThrow(/contextWindowLimit/)
    const ok = new VLLMModel({
      ...base,
      stream: false,
      pauseRetry: false,
      session: { id: () => 'k', header: 'x-user-id', body: false },
      countTokens: 'server',
      contextWindowLimit: 32768,
    })
    expect(ok.getConfig()).toMatchObject({ stream: false, pauseRetry: false, contextWindowLimit: 32768 })
  })

  it('validates tokenIn with messages that say what to change; logprobs need no returnTokenIds there', () => {
    const base = { modelId: 'm', baseUrl: 'http://x/v1' }
    const bad = (tokenIn: unknown, text: RegExp) =>
      expect(() => new VLLMModel({ ...base, tokenIn: tokenIn as boolean })).toThrow(text)
    bad('yes', /'tokenIn' must be true, false or \{/)
    bad({ tokenizer: {} }, /tokenIn\.tokenizer' must have encodeChat/)
    bad({ tokenizeUrl: 'nope' }, /tokenIn\.tokenizeUrl' is not a valid URL/)
    bad({ tokenizer: { encodeChat: () => [1] }, tokenizeUrl: 'http://t/tokenize' }, /not both/)
    bad({ reasoningParser: 'deepseek_r1' }, /tokenIn\.reasoningParser' must be one of 'qwen3'/)
    bad({ toolParser: 'llama3_json' }, /tokenIn\.toolParser' must be one of 'hermes', 'qwen3_coder'/)
    bad({ dummyPrefix: [] }, /tokenIn\.dummyPrefix' must be a non-empty list/)
    // Token-in always records ids, so logprobs alone are fine.
    const ok = new VLLMModel({
      ...base,
      logprobs: true,
      tokenIn: { toolParser: 'qwen3_coder', reasoningParser: null, dummyPrefix: [{ role: 'assistant', content: 'y' }] },
    })
    expect(ok.getConfig().tokenIn).toMatchObject({ toolParser: 'qwen3_coder' })
  })
})
