/**
 * A rollout worker for the SIGKILL test: a real agent on `VLLMModel` against the mock server at MOCK_BASE_URL,
 * recording into the JSONL sink at SINK_PATH and reporting every finished record to the parent over IPC. It runs
 * until it is killed.
 */
import { Agent, NullConversationManager, tool } from '@strands-agents/sdk'
import { VLLMModel } from '@strands-vllm/model'
import { z } from 'zod'
import { VLLMTokenRecorder } from '../recorder.js'

const baseUrl = process.env.MOCK_BASE_URL
const path = process.env.SINK_PATH
if (!baseUrl || !path || !process.send) throw new Error('run me with fork(): MOCK_BASE_URL, SINK_PATH and IPC')
const send = process.send.bind(process)

const add = tool({
  name: 'add',
  description: 'Add two integers',
  inputSchema: z.object({ a: z.number().int(), b: z.number().int() }),
  callback: ({ a, b }) => a + b,
})

const recorder = new VLLMTokenRecorder({
  rolloutId: `r-child-${process.pid}`,
  addToSpan: false,
  sink: path,
  onRecord: (record) => send({ record }),
})
const agent = new Agent({
  model: new VLLMModel({ baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true, logprobs: true }),
  tools: [add],
  plugins: [recorder],
  printer: false,
  conversationManager: new NullConversationManager(),
  retryStrategy: null,
})

for (let i = 0; ; i++) await agent.invoke(`What is ${i} + 3? Use the add tool.`)
