import { startMockVLLM } from './server.js'
import type { MockVLLM, MockVLLMOptions } from './types.js'

/** Where an example or a test should send its requests: a real vLLM or an in-process mock. */
export interface VLLMTarget {
  kind: 'live' | 'mock'
  /** OpenAI-style base URL ending in `/v1`. */
  baseUrl: string
  modelId: string
  /** `VLLM_API_KEY` for a live server, `EMPTY` otherwise (vLLM's default). */
  apiKey: string
  /** The mock server when `kind === 'mock'`, to inspect what it received and sent. */
  mock?: MockVLLM
  /** One line saying which server is used, for the user to read. */
  description: string
  close(): Promise<void>
}

export interface VLLMTargetOptions extends MockVLLMOptions {
  /** Environment to read `VLLM_BASE_URL`, `VLLM_MODEL_ID` and `VLLM_API_KEY` from. Default `process.env`. */
  env?: Record<string, string | undefined>
}

/**
 * Use the vLLM named by `VLLM_BASE_URL` (and `VLLM_MODEL_ID`, else the server's first
 * model from `/v1/models`) when set; otherwise start the mock server in-process. This is
 * how every example runs offline by default and against a real GPU with two env vars.
 */
export async function connectOrStartMockVLLM(options: VLLMTargetOptions = {}): Promise<VLLMTarget> {
  const { env = process.env, ...mockOptions } = options
  const liveUrl = env.VLLM_BASE_URL?.trim()
  if (liveUrl) {
    const baseUrl = liveUrl.replace(/\/+$/, '')
    const apiKey = env.VLLM_API_KEY?.trim() || 'EMPTY'
    const modelId = env.VLLM_MODEL_ID?.trim() || (await firstServedModel(baseUrl, apiKey))
    return {
      kind: 'live',
      baseUrl,
      modelId,
      apiKey,
      description: `live vLLM at ${baseUrl} (model ${modelId})`,
      close: async () => {},
    }
  }
  const mock = await startMockVLLM(mockOptions)
  const modelId = mockOptions.modelId ?? 'Qwen/Qwen3-8B'
  return {
    kind: 'mock',
    baseUrl: mock.baseUrl,
    modelId,
    apiKey: 'EMPTY',
    mock,
    description: `in-process mock vLLM at ${mock.baseUrl} (real Qwen3 tokenizer and template; set VLLM_BASE_URL to use a real server)`,
    close: () => mock.close(),
  }
}

async function firstServedModel(baseUrl: string, apiKey: string): Promise<string> {
  let response: Response
  try {
    response = await fetch(`${baseUrl}/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    throw new Error(`VLLM_BASE_URL=${baseUrl} is not reachable (${(error as Error).message}); is vLLM running?`)
  }
  if (!response.ok) {
    throw new Error(`GET ${baseUrl}/models answered ${response.status}; set VLLM_MODEL_ID to the served model name`)
  }
  const body = (await response.json()) as { data?: Array<{ id?: unknown }> }
  const id = body.data?.find((m) => typeof m.id === 'string')?.id
  if (typeof id !== 'string') throw new Error(`GET ${baseUrl}/models listed no model; set VLLM_MODEL_ID`)
  return id
}
