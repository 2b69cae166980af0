import {
  Agent,
  type Message,
  type ModelStreamEvent,
  ModelStreamUpdateEvent,
  NullConversationManager,
  type Plugin,
  type StreamOptions,
  tool,
} from '@strands-agents/sdk'
import { type MockVLLM, type Policy, startMockVLLM } from '@strands-vllm/mock-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { InvalidToolInputGuard } from './invalid-tool-input-guard.js'
import { getVLLMResponseFields, type VLLMResponseFields } from './tito-fields.js'
import { VLLMModel } from './vllm-model.js'

/** Forces `tool_choice: add` while the conversation ends with user text (the first turn). */
class ForcedAddModel extends VLLMModel {
  override stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const last = messages.at(-1)?.content.at(-1)
    const force = last?.type === 'textBlock'
    return super.stream(messages, force ? { ...options, toolChoice: { tool: { name: 'add' } } } : options)
  }
}

/** Turn 0: text + an `add` call (valid or raw invalid JSON); turn 1: repeat the tool result. */
const policy: Policy = (ctx) => {
  const text = ctx.lastUserText ?? ''
  if (ctx.turn === 0) {
    // Under a named tool_choice vLLM streams the generated text as the arguments, valid JSON or not.
    if (text.startsWith('broken')) return { toolCalls: [{ name: 'add', arguments: '{"a": 2, "b": ' }] }
    const m = /(\d+) \+ (\d+)/.exec(text)
    return {
      content: 'Let me add those.',
      toolCalls: [{ name: 'add', arguments: { a: Number(m?.[1] ?? 2), b: Number(m?.[2] ?? 3) } }],
    }
  }
  return { content: `The tool said: ${ctx.lastToolResult}` }
}

function recorder(into: VLLMResponseFields[]): Plugin {
  return {
    name: 'test-recorder',
    initAgent(agent) {
      agent.addHook(ModelStreamUpdateEvent, (e) => {
        const event = e.event
        if (event.type !== 'modelMessageStopEvent') return
        const fields = getVLLMResponseFields(event.additionalModelResponseFields)
        if (fields) into.push(fields)
      })
    },
  }
}

describe('VLLMModel with a real Strands Agent', () => {
  let server: MockVLLM
  let model: VLLMModel
  const warnings: string[] = []

  beforeAll(async () => {
    server = await startMockVLLM({ policy })
    model = new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logger: { warn: (m) => warnings.push(m) },
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  const makeAgent = (calls: string[], recorded: VLLMResponseFields[], plugins: Plugin[] = [], use = model): Agent =>
    new Agent({
      model: use,
      tools: [
        tool({
          name: 'add',
          description: 'Add two integers',
          inputSchema: z.object({ a: z.number().int(), b: z.number().int() }),
          callback: ({ a, b }) => {
            calls.push(`${a}+${b}`)
            return a + b
          },
        }),
      ],
      printer: false,
      conversationManager: new NullConversationManager(),
      retryStrategy: null,
      plugins: [recorder(recorded), ...plugins],
    })

  it('runs a tool round trip: text + tool call, the tool result reaches the model, final answer', async () => {
    const calls: string[] = []
    const recorded: VLLMResponseFields[] = []
    const agent = makeAgent(calls, recorded)
    const result = await agent.invoke('What is 2 + 3?')
    expect(calls).toEqual(['2+3'])
    expect(String(result)).toBe('The tool said: 5')
    expect(agent.messages[1]?.content.map((b) => b.type)).toEqual(['textBlock', 'toolUseBlock'])
    const second = server.requests.at(-1)!.body as { messages: Array<Record<string, unknown>> }
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: '5' })
    expect(recorded).toHaveLength(2)
    expect(recorded.map((r) => r.tito.status)).toEqual(['exact', 'exact'])
    expect(recorded[1]?.tokenIds).toEqual(server.requests.at(-1)?.tokenIds)
  })

  it('InvalidToolInputGuard: malformed tool JSON becomes an error result the model reads; next prompt shows the raw text', async () => {
    const calls: string[] = []
    const recorded: VLLMResponseFields[] = []
    const forced = new ForcedAddModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logger: { warn: (m) => warnings.push(m) },
    })
    const agent = makeAgent(calls, recorded, [new InvalidToolInputGuard()], forced)
    const result = await agent.invoke('broken please')
    expect(calls).toEqual([])
    expect(String(result)).toBe('The tool said: Error: tool_name=<add> | tool input is not valid JSON')
    const body = server.requests.at(-1)!.body as { messages: Array<Record<string, unknown>> }
    const assistant = body.messages.at(-2) as { tool_calls: Array<{ function: { arguments: string } }> }
    // Sent as a JSON string so vLLM's json.loads succeeds; the template then prints the raw text verbatim.
    expect(assistant.tool_calls[0]?.function.arguments).toBe(JSON.stringify('{"a": 2, "b": '))
    const prompt = server.tokenizer.decode(server.requests.at(-1)!.promptTokenIds!)
    expect(prompt).toContain('<tool_call>\n{"name": "add", "arguments": {"a": 2, "b": }\n</tool_call>')
    expect(body.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: 'Error: tool_name=<add> | tool input is not valid JSON',
    })
    expect(recorded.map((r) => r.tito.status)).toEqual(['exact', 'exact'])
    expect(recorded[0]?.tokenIds).toEqual(server.requests.at(-2)?.tokenIds)
    expect(warnings.filter((w) => w.includes('InvalidToolInputGuard'))).toHaveLength(1)
  })

  it('64 agents sharing one VLLMModel concurrently each get their own ids (no cross-talk)', async () => {
    const runs = Array.from({ length: 64 }, (_, i) => ({
      calls: [] as string[],
      recorded: [] as VLLMResponseFields[],
      i,
    }))
    const results = await Promise.all(
      runs.map(({ calls, recorded, i }) => makeAgent(calls, recorded).invoke(`What is ${i} + ${i + 1}?`))
    )
    const byPrompt = new Map(server.requests.map((r) => [JSON.stringify(r.promptTokenIds), r]))
    for (const { calls, recorded, i } of runs) {
      expect(String(results[i])).toBe(`The tool said: ${2 * i + 1}`)
      expect(calls).toEqual([`${i}+${i + 1}`])
      expect(recorded).toHaveLength(2)
      for (const fields of recorded) {
        expect(fields.tito.status).toBe('exact')
        const sent = byPrompt.get(JSON.stringify(fields.promptTokenIds))
        expect(sent).toBeDefined()
        expect(fields.tokenIds).toEqual(sent?.tokenIds)
      }
    }
  })
})
