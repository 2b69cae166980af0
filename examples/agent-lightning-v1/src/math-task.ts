import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import type { AglJsonValue, AglRolloutContext } from '@strands-vllm/agent-lightning'
import { evaluateArithmetic } from '@strands-vllm/mock-server'
import { z } from 'zod'

/** One task of the dataset: a question and the number that answers it. */
export interface MathTask {
  question: string
  answer: number
}

const taskSchema = z.object({ question: z.string().min(1), answer: z.number() })

/** The rollout's `input`, checked: anything else fails the rollout with exit 2 and says why. */
export function parseMathTask(input: AglJsonValue): MathTask {
  return taskSchema.parse(input)
}

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression such as "12 * 34".',
  inputSchema: z.object({ expression: z.string().describe('The expression to evaluate') }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

/** 1 when the last number in the answer is the expected one, else 0. */
export function scoreAnswer(text: string, expected: number): { value: 0 | 1; reason: string } {
  const numbers = text.match(/-?\d+(?:\.\d+)?/g) ?? []
  const last = numbers.length > 0 ? Number(numbers.at(-1)) : undefined
  if (last !== undefined && Math.abs(last - expected) < 1e-9)
    return { value: 1, reason: `${last} is the expected answer` }
  return { value: 0, reason: last === undefined ? 'no number in the answer' : `${last}, expected ${expected}` }
}

/**
 * The rollout: a Strands agent with the calculator tool answers the task through the gateway (the model the
 * rollout gives is non-streaming, keyed, with ids, logprobs in train mode and pause retries), then posts reward
 * 1 or 0 and its own records of every model call (`tito_calls`), which a trainer can compare with the gateway's.
 */
export async function solveMathTask(rollout: AglRolloutContext<MathTask>): Promise<void> {
  const budget = Number(process.env.PAUSE_BUDGET_MS)
  const recorder = rollout.createRecorder()
  const agent = new Agent({
    model: rollout.createModel({
      maxTokens: 512,
      ...(Number.isFinite(budget) && budget > 0 ? { pauseRetry: { budgetMs: budget } } : {}),
    }),
    systemPrompt: 'You are a careful calculator assistant. Use the calculator tool for arithmetic.',
    tools: [calculator],
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })
  const result = await agent.invoke(rollout.input.question, { cancelSignal: rollout.signal })
  // The reply's text only (its reasoning blocks are not the answer).
  const answer = result.lastMessage.content
    .flatMap((block) => (block.type === 'textBlock' ? [block.text] : []))
    .join('')
    .trim()
  const score = scoreAnswer(answer, rollout.input.answer)
  rollout.log(`answer: ${answer}`)
  await rollout.reward(score.value, { source: 'exact-match', reason: score.reason })
  await rollout.emitCalls(recorder.history)
  const statuses = recorder.history.map((c) => c.status).join(', ')
  rollout.log(`reward ${score.value} (${score.reason}); ${recorder.history.length} model calls: ${statuses}`)
}
