import {
  Agent,
  type AgentResult,
  BeforeModelCallEvent,
  ConstantBackoff,
  DefaultModelRetryStrategy,
  ModelStreamUpdateEvent,
  NullConversationManager,
  tool,
} from '@strands-agents/sdk'
import { z } from 'zod'
// Relative source imports (not `@strands-vllm/*`): this private package has no workspace links, and the soak
// script runs it under plain tsx. Vitest's aliases resolve the package names to these same files.
import { evaluateArithmetic } from '../../../packages/mock-server/src/index.js'
import { VLLMModel } from '../../../packages/model/src/index.js'
import { VLLMTokenRecorder } from '../../../packages/tito/src/index.js'
import { loadQwen3Tokenizer } from '../../../packages/tokenizer/src/index.js'

/** The question every hardening rollout asks: one calculator tool call, then the answer (two model calls). */
export const QUESTION = 'What is 17 * 23?'

/** A real tool, so a rollout is the two-call tool loop RL rollouts run. */
export const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

export interface RolloutOptions {
  baseUrl: string
  /** Default {@link QUESTION}. */
  question?: string
  modelId?: string
  apiKey?: string
  /** `DefaultModelRetryStrategy({ maxAttempts: 2 })` with a 1 ms constant backoff; otherwise `retryStrategy: null`. */
  retry?: boolean
  /** `x-mock-fault` value sent on the first model call's first attempt only (a transient fault). */
  faultOnFirstAttempt?: string
  /** Sent on every request (e.g. a per-rollout tag). */
  headers?: Record<string, string>
  timeoutMs?: number
  maxTokens?: number
  /** `agent.cancel()` when the first content delta arrives. */
  cancelOnFirstDelta?: boolean
  rolloutId?: string
  logprobs?: boolean
  /** Watchdog: `agent.cancel()` if the rollout is still running after this long, and report it as hung. */
  deadlineMs?: number
  /** `false`: one JSON body per call (`stream: false`). Default `true`. */
  stream?: boolean
  /** `pauseRetry.budgetMs` (default the model's 30 minutes). */
  pauseBudgetMs?: number
  /**
   * Token-in mode, rendered by the local Qwen3 tokenizer (so a header fault hits `/v1/completions` only), or by
   * the server's `/tokenize` (`'server'`), with `maxTokens` 512 unless given (no `max_model_len` lookup).
   */
  tokenIn?: boolean | 'server'
}

export interface RolloutOutcome {
  agent: Agent
  recorder: VLLMTokenRecorder
  result?: AgentResult
  error?: Error
  /** The watchdog had to cancel the rollout. */
  hung: boolean
}

/** One rollout as a trainer runs it: fresh Agent + VLLMModel + VLLMTokenRecorder, nothing shared. */
export async function runRollout(options: RolloutOptions): Promise<RolloutOutcome> {
  const base = options.headers ?? {}
  const model = new VLLMModel({
    baseUrl: options.baseUrl,
    modelId: options.modelId ?? 'Qwen/Qwen3-8B',
    apiKey: options.apiKey ?? 'EMPTY',
    returnTokenIds: true,
    logprobs: options.logprobs ?? true,
    temperature: 1,
    topP: 1,
    eosTokenIds: [151645, 151643],
    headers: options.faultOnFirstAttempt ? { ...base, 'x-mock-fault': options.faultOnFirstAttempt } : base,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.tokenIn
      ? {
          tokenIn: options.tokenIn === 'server' ? true : { tokenizer: loadQwen3Tokenizer() },
          maxTokens: options.maxTokens ?? 512,
        }
      : {}),
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    ...(options.pauseBudgetMs === undefined ? {} : { pauseRetry: { budgetMs: options.pauseBudgetMs } }),
    logger: { warn: (message) => console.warn(message), info: () => {} },
  })
  const recorder = new VLLMTokenRecorder(options.rolloutId === undefined ? {} : { rolloutId: options.rolloutId })
  const agent = new Agent({
    model,
    tools: [calculator],
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: options.retry
      ? new DefaultModelRetryStrategy({ maxAttempts: 2, backoff: new ConstantBackoff({ delayMs: 1 }) })
      : null,
  })
  if (options.faultOnFirstAttempt) {
    let calls = 0
    agent.addHook(BeforeModelCallEvent, () => {
      if (++calls === 2) model.updateConfig({ headers: base })
    })
  }
  if (options.cancelOnFirstDelta) {
    let cancelled = false
    agent.addHook(ModelStreamUpdateEvent, ({ event }) => {
      if (!cancelled && event.type === 'modelContentBlockDeltaEvent') {
        cancelled = true
        agent.cancel()
      }
    })
  }
  let hung = false
  const watchdog =
    options.deadlineMs === undefined
      ? undefined
      : setTimeout(() => {
          hung = true
          agent.cancel()
        }, options.deadlineMs)
  try {
    const result = await agent.invoke(options.question ?? QUESTION)
    return { agent, recorder, result, hung }
  } catch (error) {
    return { agent, recorder, error: error as Error, hung }
  } finally {
    clearTimeout(watchdog)
  }
}
