import {
  AfterToolCallEvent,
  AfterToolsEvent,
  Agent,
  NullConversationManager,
  type Plugin,
  tool,
} from '@strands-agents/sdk'
import { type MockVLLM, scriptedPolicy, startMockVLLM } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterEach, describe, expect, it } from 'vitest'
import { calculatorSchema } from './testing/tools.js'
import { VLLMToolValidationHooks } from './tool-validation-hooks.js'

function tools(ran: unknown[]) {
  const calculator = tool({
    name: 'calculator',
    description: 'Evaluate an arithmetic expression',
    inputSchema: calculatorSchema,
    callback: (input: unknown) => {
      ran.push(input)
      return '42'
    },
  })
  const search = tool({
    name: 'search',
    description: 'Search the web',
    inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    callback: (input: unknown) => {
      ran.push(input)
      return 'nothing'
    },
  })
  return [calculator, search]
}

/**
 * End to end: a real Agent with VLLMModel against the mock vLLM server over HTTP. The scripted
 * policy makes three bad tool calls in a row; each must be cancelled by the hooks, and the exact
 * error text must be in the next prompt the server tokenized (decoded from its prompt ids).
 */
describe('VLLMToolValidationHooks end to end (VLLMModel + mock vLLM)', () => {
  let server: MockVLLM | undefined

  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('cancels an unknown tool and a wrong-typed argument; the next prompts carry the exact errors', async () => {
    const policy = scriptedPolicy([
      { match: (ctx) => ctx.turn === 0, reply: { toolCalls: [{ name: 'fake_tool', arguments: { x: 1 } }] } },
      { match: (ctx) => ctx.turn === 1, reply: { toolCalls: [{ name: 'calculator', arguments: { expression: 7 } }] } },
      { match: (ctx) => ctx.turn === 2, reply: { content: 'I could not use the calculator.' } },
    ])
    server = await startMockVLLM({ policy, seed: 1 })
    const ran: unknown[] = []
    const agent = new Agent({
      model: new VLLMModel({ baseUrl: server.baseUrl, modelId: 'Qwen/Qwen3-8B', returnTokenIds: true }),
      tools: tools(ran),
      plugins: [new VLLMToolValidationHooks()],
      printer: false,
      conversationManager: new NullConversationManager(),
      retryStrategy: null,
    })

    const result = await agent.invoke('What is 1 + 1?')

    expect(String(result)).toContain('I could not use the calculator.')
    expect(ran).toEqual([])
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200])
    const expected = [
      'Error: unknown tool: fake_tool | allowed_tools=[calculator, search]',
      'Error: tool_name=<calculator> | invalid argument(s): /expression must be string',
    ]
    const tokenizer = loadQwen3Tokenizer()
    for (const [i, text] of expected.entries()) {
      const ids = server.requests[i + 1]?.promptTokenIds
      expect(ids, `prompt ids of request ${i + 1}`).toBeDefined()
      expect(tokenizer.decode(ids ?? [])).toContain(`<tool_response>\n${text}\n</tool_response>`)
    }
  })

  it('cancels a call whose arguments vLLM streamed as malformed JSON; the tool does not run', async () => {
    // Under a named tool_choice vLLM's output *is* the arguments, so malformed text reaches the client as the
    // call's arguments (the hermes parser would instead turn a broken <tool_call> into plain content).
    const policy = scriptedPolicy([
      {
        match: (ctx) => ctx.turn === 0,
        reply: { toolCalls: [{ name: 'calculator', arguments: '{"expression": "1+' }] },
      },
    ])
    server = await startMockVLLM({ policy, seed: 1 })
    const model = new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      params: { tool_choice: { type: 'function', function: { name: 'calculator' } } },
    })
    const ran: unknown[] = []
    const results: string[] = []
    const observe: Plugin = {
      name: 'observe',
      initAgent(agent) {
        agent.addHook(AfterToolCallEvent, (e) => {
          results.push(e.result.content.map((c) => ('text' in c ? c.text : '')).join(''))
        })
        // Stop before a second model call: see the it.todo below.
        agent.addHook(AfterToolsEvent, (e) => {
          e.endTurn = true
        })
      },
    }
    const agent = new Agent({
      model,
      tools: tools(ran),
      plugins: [new VLLMToolValidationHooks(), observe],
      printer: false,
      conversationManager: new NullConversationManager(),
      retryStrategy: null,
    })

    await agent.invoke('What is 1 + 1?')

    expect(ran).toEqual([])
    expect(results).toEqual(['Error: tool_name=<calculator> | tool input is not valid JSON'])
    expect(server.requests).toHaveLength(1)
  })

  // Blocked outside this package: VLLMModel re-sends the malformed arguments verbatim in the next request, and
  // vLLM (and the mock, faithfully) reject that request with 400 "Invalid JSON in tool call arguments", so no
  // next prompt exists to decode. Enable once @strands-vllm/model re-sends something vLLM accepts.
  it.todo('the prompt after a malformed-JSON call contains the exact error inside <tool_response>')
})
