import type { HfChatTokenizer } from '@strands-vllm/tokenizer'
import { PauseLedger } from './pause-ledger.js'
import { defaultPolicy } from './policies/default.js'
import type { Fault, MockVLLMOptions, Policy, ToolCallFormat, ToolParserName } from './types.js'

/** Options with defaults filled in: what every handler reads. */
export interface ServerConfig {
  modelId: string
  maxModelLen: number
  policy: Policy
  faults: Fault[]
  streamInterval: number
  toolParser: ToolParserName | null
  /** How tool calls are written when a policy does not say. */
  toolFormat: ToolCallFormat
  reasoningParser: 'qwen3' | null
  reasoningField: 'reasoning' | 'reasoning_content'
  seed: number
  vllmVersion: string
  maxLogprobs: number
  tokenizer: HfChatTokenizer
  startedAt: number
  pauses: PauseLedger
}

export function resolveConfig(options: MockVLLMOptions, tokenizer: HfChatTokenizer): ServerConfig {
  const faults = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults]
  const toolParser = options.toolParser === undefined ? 'hermes' : options.toolParser
  return {
    modelId: options.modelId ?? 'Qwen/Qwen3-8B',
    maxModelLen: options.maxModelLen ?? 32768,
    policy: options.policy ?? defaultPolicy(),
    faults,
    streamInterval: Math.max(1, Math.floor(options.streamInterval ?? 1)),
    toolParser,
    toolFormat: options.toolFormat ?? (toolParser === 'qwen3_coder' ? 'qwen3_coder' : 'hermes'),
    reasoningParser: options.reasoningParser === undefined ? 'qwen3' : options.reasoningParser,
    reasoningField: options.reasoningField ?? 'reasoning',
    seed: options.seed ?? 0,
    vllmVersion: options.vllmVersion ?? '0.11.0',
    maxLogprobs: options.maxLogprobs ?? 20,
    tokenizer,
    startedAt: Math.floor(Date.now() / 1000),
    pauses: new PauseLedger(),
  }
}
