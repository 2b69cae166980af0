/**
 * The smallest useful program: one Strands agent on vLLM, with the exact token ids of its
 * call recorded. Offline by default (in-process mock vLLM with the real Qwen3 tokenizer);
 * set VLLM_BASE_URL (and VLLM_MODEL_ID) to run it against your own server.
 */
import { Agent, NullConversationManager } from '@strands-agents/sdk'
import { connectOrStartMockVLLM, scriptedPolicy } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { VLLMTokenRecorder } from '@strands-vllm/tito'

const summary = (ids: readonly number[] | undefined): string =>
  ids ? `len=${ids.length} head=[${ids.slice(0, 8).join(', ')}] tail=[${ids.slice(-8).join(', ')}]` : 'none'

const target = await connectOrStartMockVLLM({
  policy: scriptedPolicy([{ match: /capital of France/i, reply: { content: 'The capital of France is Paris.' } }]),
})
console.log(`server: ${target.description}`)

try {
  const model = new VLLMModel({
    baseUrl: target.baseUrl,
    modelId: target.modelId,
    apiKey: target.apiKey,
    returnTokenIds: true,
    disableTools: true,
    // Every sampling parameter explicit: vLLM fills omitted ones from the model's generation_config.json.
    temperature: 0,
    topP: 1,
    maxTokens: 128,
    params: {
      top_k: -1,
      min_p: 0,
      repetition_penalty: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      chat_template_kwargs: { enable_thinking: false },
    },
  })
  const recorder = new VLLMTokenRecorder()
  const agent = new Agent({
    model,
    plugins: [recorder],
    printer: false,
    conversationManager: new NullConversationManager(),
    retryStrategy: null,
  })

  const result = await agent.invoke('What is the capital of France? Answer in one sentence.')
  const call = recorder.history.at(-1)
  console.log(`answer: ${String(result).trim()}`)
  console.log(`prompt tokens: ${recorder.promptTokenIds?.length ?? 0} (${summary(recorder.promptTokenIds)})`)
  console.log(`response tokens: ${recorder.tokenIds?.length ?? 0} (${summary(recorder.tokenIds)})`)
  console.log(`tito status: ${call?.status ?? 'none'} | finish_reason: ${call?.finishReason ?? 'none'}`)
} finally {
  await target.close()
}
