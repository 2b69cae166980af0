import type { Policy, VLLMTarget } from '@strands-vllm/mock-server'
import type { VLLMModel, VLLMModelOptions } from '@strands-vllm/model'
import type { AsyncTokenDecoder } from '@strands-vllm/tito'
import type OpenAI from 'openai'

/**
 * What a scenario gets. Everything points at one server (`target`), so the same scenario body runs against the
 * in-process mock and against a real vLLM.
 */
export interface ScenarioContext {
  target: VLLMTarget
  /** Ids → text: the local Qwen3 tokenizer for the mock, the server's `/detokenize` for a live vLLM. */
  decoder: AsyncTokenDecoder
  /** The model's EOS ids when known (Qwen3 and the mock: `[151645, 151643]`), else undefined and EOS checks are skipped. */
  eosTokenIds: number[] | undefined
  /** Timeout of every HTTP request a scenario makes, so a stuck server fails the scenario instead of hanging it. */
  timeoutMs: number
  /** Which transport `model()` uses: every scenario runs once with each (`stream: true` / `stream: false`). */
  transport: ScenarioTransport
  /** A `VLLMModel` for the target with the suite's sampling defaults (ids on, thinking off, explicit sampling). */
  model(overrides?: Partial<VLLMModelOptions>): VLLMModel
  /** An `openai` client for the target, for requests that bypass `VLLMModel`. */
  client(): OpenAI
  /** The suite's explicit sampling fields, to send the same ones on raw requests. */
  sampling: Record<string, unknown>
  /** `GET` or `POST` JSON on the server root (`/tokenize`, `/version`) or under `/v1` (`/v1/models`). */
  fetchJson(path: string, body?: unknown): Promise<unknown>
}

/** `stream`: SSE (`stream: true`); `json`: one JSON body (`stream: false`, what Agent Lightning's gateway needs). */
export type ScenarioTransport = 'stream' | 'json'

/** Both transports, in the order the suites run them. */
export const TRANSPORTS: readonly ScenarioTransport[] = ['stream', 'json']

/** One wire-level check, shared by the mock tests and the live suite. */
export interface Scenario {
  name: string
  /** One line: what is checked and why it matters for exact token ids. */
  description: string
  /** Policy of the fresh mock this scenario runs against in the mock suite. Default: the mock's `defaultPolicy`. */
  mockPolicy?: Policy
  /** Only meaningful with the scripted mock (it relies on a specific, wrong model output); skipped live. */
  mockOnly?: boolean
  run(ctx: ScenarioContext): Promise<void>
}
