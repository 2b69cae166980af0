import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { type AnalysisTokenizer, VLLMServerTokenizer } from '@strands-vllm/drift'
import { connectOrStartMockVLLM, evaluateArithmetic, scriptedPolicy } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { type TitoCallRecord, VLLMTokenRecorder } from '@strands-vllm/tito'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { VLLMToolValidationHooks } from '@strands-vllm/validation'
import { z } from 'zod'

/** The two user turns of the demo: a tool call with thinking, then a follow-up question. */
export const DEMO_TURNS = ['Which SQL clause filters groups, and what is 17 * 23?', 'Thanks! Does WHERE do the same?']

/** A recorded agent rollout, with the tokenizer that matches the server it ran on. */
export interface DriftRollout {
  history: readonly TitoCallRecord[]
  /** Every tool result the model read, in order (validation errors included). */
  toolResults: Array<{ status: string; text: string }>
  /** One line saying which server was used. */
  description: string
  kind: 'live' | 'mock'
  mode: RolloutMode
  tokenizer: AnalysisTokenizer
  close(): Promise<void>
}

export const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression such as "17 * 23".',
  inputSchema: z.object({ expression: z.string() }),
  callback: ({ expression }) => {
    const value = evaluateArithmetic(expression)
    if (value === undefined) throw new Error(`cannot evaluate ${JSON.stringify(expression)}`)
    return String(value)
  },
})

/**
 * What the mock model "samples": first a call to a tool that does not exist (the validation hooks
 * answer with an RL-friendly error), written exactly as the template renders tool calls so the next
 * prompt extends it; then compact tool-call JSON (the template re-renders it with spaces), `<think>`
 * blocks (the template drops them once a new user turn arrives), and the vLLM blog's `H` + `AVING`
 * split of a word a tokenizer would encode as `HAV` + `ING`.
 */
export const demoPolicy = scriptedPolicy(
  [
    {
      match: 'filters groups',
      on: 'last',
      reply: {
        reasoning: 'Two questions: SQL, and arithmetic for a calculator tool.',
        toolCalls: [{ name: 'calc', arguments: '{"expression": "17 * 23"}' }],
      },
    },
    {
      match: 'unknown tool',
      on: 'last',
      reply: {
        reasoning: 'That tool does not exist; the allowed one is calculator.',
        toolCalls: [{ name: 'calculator', arguments: { expression: '17 * 23' } }],
      },
    },
    {
      on: 'last',
      match: /^\d+$/,
      reply: (_, m) => ({
        reasoning: `The calculator returned ${m?.[0]}.`,
        content: `HAVING filters groups after GROUP BY, and 17 * 23 = ${m?.[0]}.`,
      }),
    },
    {
      match: 'WHERE',
      on: 'last',
      reply: { reasoning: 'WHERE runs before grouping.', content: 'No: WHERE filters rows before grouping.' },
    },
  ],
  { compactToolJson: true, nonCanonical: { HAVING: ['H', 'AVING'] } }
)

/**
 * How the model builds each prompt. `chat`: `/v1/chat/completions`, the server renders the whole conversation from
 * the messages on every call (what drifts). `token-in`: `/v1/completions` with the ids the client holds, rendered
 * once (`/tokenize`) and then extended by each call's sampled ids and the appended messages' ids (what cannot).
 */
export type RolloutMode = 'chat' | 'token-in'

export interface DriftRolloutOptions {
  env?: Record<string, string | undefined>
  /** Default `chat`. */
  mode?: RolloutMode
}

/**
 * Run a two-turn agent with a tool and thinking, recording every call's exact ids. Against the
 * in-process mock by default; against a real vLLM when `VLLM_BASE_URL` (and `VLLM_MODEL_ID`) are set,
 * analysed with that server's own `/tokenize` and `/detokenize`.
 */
export async function runDriftRollout(options: DriftRolloutOptions = {}): Promise<DriftRollout> {
  const env = options.env ?? process.env
  const target = await connectOrStartMockVLLM({ env, policy: demoPolicy, seed: 7 })
  try {
    const recorder = new VLLMTokenRecorder({ rolloutId: 'drift-demo' })
    // One model instance per rollout: in token-in mode the instance holds the conversation's ids.
    const model = new VLLMModel({
      baseUrl: target.baseUrl,
      modelId: target.modelId,
      apiKey: target.apiKey,
      returnTokenIds: true,
      logprobs: true,
      // Every sampling parameter explicit: vLLM fills omitted ones from the model's generation_config.json.
      temperature: 1,
      topP: 1,
      maxTokens: 1024,
      params: { top_k: -1, min_p: 0, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 },
      ...(options.mode === 'token-in' ? { tokenIn: true } : {}),
    })
    const agent = new Agent({
      model,
      tools: [calculator],
      plugins: [recorder, new VLLMToolValidationHooks({ suggestClosestTool: true })],
      printer: false,
      conversationManager: new NullConversationManager(),
      retryStrategy: null,
    })
    for (const turn of DEMO_TURNS) await agent.invoke(turn)
    const history = recorder.history
    const tokenizer =
      target.kind === 'mock'
        ? loadQwen3Tokenizer()
        : new VLLMServerTokenizer({
            baseUrl: target.baseUrl,
            model: target.modelId,
            apiKey: target.apiKey,
            eosTokenIds: observedEos(history),
          })
    const toolResults = agent.messages.flatMap((message) =>
      message.content.flatMap((block) =>
        block.type === 'toolResultBlock'
          ? [
              {
                status: block.status,
                text: block.content.map((c) => ('text' in c ? c.text : JSON.stringify(c))).join(''),
              },
            ]
          : []
      )
    )
    return {
      history,
      toolResults,
      description: target.description,
      kind: target.kind,
      mode: options.mode ?? 'chat',
      tokenizer,
      close: () => target.close(),
    }
  } catch (error) {
    await target.close()
    throw error
  }
}

/** EOS ids as the server showed them: the last id of every call that stopped on EOS (`stop`, no stop_reason). */
function observedEos(history: readonly TitoCallRecord[]): number[] {
  const ids = new Set<number>()
  for (const call of history) {
    const last = call.tokenIds?.at(-1)
    if (call.finishReason === 'stop' && call.stopReason === null && last !== undefined) ids.add(last)
  }
  return [...ids]
}
