/**
 * RL-friendly tool errors: the model calls a tool that does not exist, and instead of the
 * SDK's default text it reads a deterministic error listing the allowed tools, then recovers.
 */
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { connectOrStartMockVLLM, evaluateArithmetic, scriptedPolicy } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { VLLMToolValidationHooks } from '@strands-vllm/validation'
import { z } from 'zod'

const calculator = tool({
  name: 'calculator',
  description: 'Evaluate an arithmetic expression such as "17 * 23".',
  inputSchema: z.object({ expression: z.string().describe('the expression to evaluate') }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})

// Offline, the mock "model" makes the mistake on purpose: it calls `print`, reads the error, then uses the calculator.
const policy = scriptedPolicy([
  {
    match: /unknown tool/,
    on: 'tool',
    reply: { toolCalls: [{ name: 'calculator', arguments: { expression: '17 * 23' } }] },
  },
  { match: /^\d+$/, on: 'tool', reply: { content: '17 * 23 = 391.' } },
  { match: /print/, on: 'user', reply: { toolCalls: [{ name: 'print', arguments: { text: 'hello' } }] } },
])

const target = await connectOrStartMockVLLM({ policy })
console.log(`server: ${target.description}`)
try {
  const agent = new Agent({
    model: new VLLMModel({
      baseUrl: target.baseUrl,
      modelId: target.modelId,
      apiKey: target.apiKey,
      returnTokenIds: true,
      // Every sampling parameter explicit: vLLM fills omitted ones from the model's generation_config.json.
      temperature: 0,
      topP: 1,
      maxTokens: 512,
      params: {
        top_k: -1,
        min_p: 0,
        repetition_penalty: 1,
        presence_penalty: 0,
        frequency_penalty: 0,
        chat_template_kwargs: { enable_thinking: false },
      },
    }),
    tools: [calculator],
    plugins: [new VLLMToolValidationHooks({ suggestClosestTool: true })],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
    toolExecutor: 'sequential',
  })
  const result = await agent.invoke('Call the tool named "print" with the text "hello", then compute 17 * 23.')

  console.log('--- tool results the model read ---')
  for (const message of agent.messages) {
    for (const block of message.content) {
      if (block.type !== 'toolResultBlock') continue
      const text = block.content.map((c) => ('text' in c ? c.text : JSON.stringify(c))).join('')
      console.log(`[${block.status}] ${text}`)
    }
  }
  console.log(`answer: ${String(result).trim()}`)
} finally {
  await target.close()
}
