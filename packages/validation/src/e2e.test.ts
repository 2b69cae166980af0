import { AfterToolCallEvent, InvokeModelStage, type Plugin, tool } from '@strands-agents/sdk'
import { type MockVLLM, scriptedPolicy, startMockVLLM } from '@strands-vllm/mock-server'
import { VLLMModel } from '@strands-vllm/model'
import { testAgent } from '@strands-vllm/testing'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterEach, describe, expect, it } from 'vitest'
import { calculatorTool } from './testing/tools.js'
import { VLLMToolValidationHooks } from './tool-validation-hooks.js'

function tools(ran: unknown[]) {
  const calculator = calculatorTool(ran)
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
 * End to end: a real Agent with VLLMModel against the mock vLLM server over HTTP. The scripted policy makes three
 * bad tool calls in a row (unknown tool, wrong-typed argument, malformed JSON arguments), then answers. Each call
 * must be cancelled by the hooks without running a tool, and the exact error text must be in the next prompt the
 * server tokenized (decoded from its prompt ids), inside the template's <tool_response>.
 */
describe('VLLMToolValidationHooks end to end (VLLMModel + mock vLLM)', () => {
  let server: MockVLLM | undefined

  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('cancels an unknown tool, a wrong-typed argument and malformed JSON; each next prompt carries the exact error', async () => {
    const malformed = '{"expression": "1+'
    const policy = scriptedPolicy([
      { match: (ctx) => ctx.turn === 0, reply: { toolCalls: [{ name: 'fake_tool', arguments: { x: 1 } }] } },
      { match: (ctx) => ctx.turn === 1, reply: { toolCalls: [{ name: 'calculator', arguments: { expression: 7 } }] } },
      { match: (ctx) => ctx.turn === 2, reply: { toolCalls: [{ name: 'calculator', arguments: malformed }] } },
      { match: (ctx) => ctx.turn === 3, reply: { content: 'I could not use the calculator.' } },
    ])
    server = await startMockVLLM({ policy, seed: 1 })
    const ran: unknown[] = []
    const results: string[] = []
    const observe: Plugin = {
      name: 'observe',
      initAgent(agent) {
        agent.addHook(AfterToolCallEvent, (e) => {
          results.push(e.result.content.map((c) => ('text' in c ? c.text : '')).join(''))
        })
      },
    }
    const warnings: string[] = []
    const model = new VLLMModel({
      baseUrl: server.baseUrl,
      modelId: 'Qwen/Qwen3-8B',
      returnTokenIds: true,
      logger: { warn: (message) => warnings.push(message) },
    })
    const agent = testAgent({
      model,
      tools: tools(ran),
      plugins: [new VLLMToolValidationHooks(), observe],
    })
    // Malformed arguments only reach the client as a tool call under a named tool_choice (vLLM's output is then the
    // arguments themselves; with "auto" the hermes parser keeps a broken <tool_call> as plain content). Force it on
    // the third model call only, so the other turns stay "auto".
    let modelCall = 0
    agent.addMiddleware(InvokeModelStage.Input, (context) =>
      modelCall++ === 2 ? { ...context, toolChoice: { tool: { name: 'calculator' } } } : context
    )

    const result = await agent.invoke('What is 1 + 1?')

    expect(String(result)).toContain('I could not use the calculator.')
    expect(ran).toEqual([])
    const expected = [
      'Error: unknown tool: fake_tool | allowed_tools=[calculator, search]',
      'Error: tool_name=<calculator> | invalid argument(s): /expression must be string',
      'Error: tool_name=<calculator> | tool input is not valid JSON',
    ]
    expect(results).toEqual(expected)
    expect(warnings).toEqual([expect.stringContaining('not valid JSON')])
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(server.requests.map((r) => (r.body as { tool_choice?: unknown }).tool_choice)).toEqual([
      undefined,
      undefined,
      { type: 'function', function: { name: 'calculator' } },
      undefined,
    ])
    const tokenizer = loadQwen3Tokenizer()
    for (const [i, text] of expected.entries()) {
      const ids = server.requests[i + 1]?.promptTokenIds
      expect(ids, `prompt ids of request ${i + 1}`).toBeDefined()
      expect(tokenizer.decode(ids ?? [])).toContain(`<tool_response>\n${text}\n</tool_response>`)
    }
    // The malformed call itself is re-sent as the model wrote it: the template prints string arguments verbatim.
    expect(tokenizer.decode(server.requests[3]?.promptTokenIds ?? [])).toContain(
      `<tool_call>\n{"name": "calculator", "arguments": ${malformed}}\n</tool_call>`
    )
  })
})
