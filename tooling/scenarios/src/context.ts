import type { VLLMTarget } from '@strands-vllm/mock-server'
import { VLLMModel, type VLLMModelOptions } from '@strands-vllm/model'
import { type AsyncTokenDecoder, vllmDetokenizer } from '@strands-vllm/tito'
import { loadQwen3Tokenizer, QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import OpenAI from 'openai'
import type { ScenarioContext, ScenarioTransport } from './scenario.js'

/** Qwen3's end-of-sequence ids: `<|im_end|>` and `<|endoftext|>`. */
export const QWEN3_EOS_IDS: readonly number[] = [QWEN3_TOKENS.imEnd, QWEN3_TOKENS.endOfText]

/**
 * Sampling sent explicitly on every request: vLLM fills omitted parameters from the model's generation config, and
 * thinking is off so a real model answers quickly and the suite stays bounded. `chat_template_kwargs` is ignored by
 * templates that do not read it.
 */
export const SUITE_SAMPLING: Readonly<Record<string, unknown>> = {
  temperature: 0,
  top_p: 1,
  top_k: -1,
  seed: 1234,
  max_tokens: 1024,
  chat_template_kwargs: { enable_thinking: false },
}

export interface ScenarioContextOptions {
  /** Per-request timeout. Default 30 s for the mock, 180 s live. */
  timeoutMs?: number
  /** Overrides the EOS ids (live: e.g. from `VLLM_EOS_TOKEN_IDS`). Default Qwen3's for the mock and Qwen models. */
  eosTokenIds?: number[]
  /** The transport `model()` uses. Default `stream`. */
  transport?: ScenarioTransport
}

/** Builds the context a scenario runs with, for a mock or a live target. */
export function createScenarioContext(target: VLLMTarget, options: ScenarioContextOptions = {}): ScenarioContext {
  const timeoutMs = options.timeoutMs ?? (target.kind === 'mock' ? 30_000 : 180_000)
  const eosTokenIds =
    options.eosTokenIds ?? (target.kind === 'mock' || /qwen/i.test(target.modelId) ? [...QWEN3_EOS_IDS] : undefined)
  const root = target.baseUrl.replace(/\/v1$/, '')
  const auth = { authorization: `Bearer ${target.apiKey}` }
  const { max_tokens, temperature, top_p, ...params } = SUITE_SAMPLING
  const transport = options.transport ?? 'stream'
  return {
    target,
    transport,
    decoder:
      target.kind === 'mock'
        ? localDecoder()
        : vllmDetokenizer({
            baseUrl: root,
            model: target.modelId,
            headers: auth,
            fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
          }),
    eosTokenIds,
    timeoutMs,
    sampling: { ...SUITE_SAMPLING },
    model: (overrides: Partial<VLLMModelOptions> = {}) =>
      new VLLMModel({
        baseUrl: target.baseUrl,
        modelId: target.modelId,
        apiKey: target.apiKey,
        returnTokenIds: true,
        maxTokens: max_tokens as number,
        temperature: temperature as number,
        topP: top_p as number,
        params,
        timeoutMs,
        stream: transport === 'stream',
        ...(eosTokenIds ? { eosTokenIds } : {}),
        ...overrides,
      }),
    client: () => new OpenAI({ baseURL: target.baseUrl, apiKey: target.apiKey, timeout: timeoutMs, maxRetries: 0 }),
    fetchJson: async (path, body) => {
      const response = await fetch(`${root}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await response.text()
      if (!response.ok)
        throw new Error(
          `${body === undefined ? 'GET' : 'POST'} ${path} answered ${response.status}: ${text.slice(0, 300)}`
        )
      return JSON.parse(text) as unknown
    },
  }
}

function localDecoder(): AsyncTokenDecoder {
  const tokenizer = loadQwen3Tokenizer()
  return { decode: async (ids) => tokenizer.decode([...ids]) }
}
