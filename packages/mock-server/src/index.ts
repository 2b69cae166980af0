export { MockVLLMError, MockVLLMRequestError } from './errors.js'
export { FAULT_HEADER } from './faults.js'
export { evaluateArithmetic } from './policies/arithmetic.js'
export { type CalculatorPolicyOptions, calculatorPolicy } from './policies/calculator.js'
export { defaultPolicy } from './policies/default.js'
export type { PolicyOptions } from './policies/options.js'
export { type ScriptedPolicyOptions, type ScriptRule, scriptedPolicy } from './policies/scripted.js'
export { SQL_EPISODE, type SqlEpisodePolicyOptions, sqlEpisodePolicy } from './policies/sql-episode.js'
export { startMockVLLM } from './server.js'
export type {
  ChatCompletionRequest,
  ChatMessage,
  ContextVariant,
  Fault,
  FaultType,
  MockVLLM,
  MockVLLMOptions,
  Policy,
  PolicyContext,
  PolicyOutput,
  PolicyToolCall,
  RecordedChoice,
  RecordedRequest,
  ToolCallFormat,
  ToolChoice,
  ToolDefinition,
  ToolParserName,
} from './types.js'
export { connectOrStartMockVLLM, type VLLMTarget, type VLLMTargetOptions } from './vllm-target.js'
