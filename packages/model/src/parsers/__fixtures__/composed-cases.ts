import { BASH_CALL } from './qwen3-reasoning-cases.js'
import type { ParserFixture } from './harness.js'

const CALCULATOR = [
  { type: 'function' as const, function: { name: 'calculator', description: '', parameters: { type: 'object' } } },
]
const BASH = [
  {
    type: 'function' as const,
    function: { name: 'bash', description: '', parameters: { type: 'object', properties: { command: { type: 'string' } } } },
  },
]

/** Reasoning and tool parser together, the way token-in mode runs them on a Qwen3 turn. */
export const composedCases: ParserFixture[] = [
  {
    name: 'Qwen3 with thinking: reasoning, the newlines before the call as content (as vLLM streams), the call',
    source: 'own (vllm chat streaming with --reasoning-parser qwen3 --tool-call-parser hermes)',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    tools: CALCULATOR,
    output:
      '<think>\nThe user wants 12*7.\n</think>\n\n<tool_call>\n{"name": "calculator", "arguments": {"expression": "12*7"}}\n</tool_call>',
    expected: {
      reasoning: '\nThe user wants 12*7.\n',
      content: '\n\n',
      calls: [{ name: 'calculator', arguments: '{"expression": "12*7"}' }],
    },
  },
  {
    name: 'a hermes call inside an unclosed think block stays reasoning',
    source: 'own (vllm qwen3 parser: only <function=…> ends reasoning implicitly)',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    tools: CALCULATOR,
    output: '<think>\nI could call <tool_call>\n{"name": "calculator", "arguments": {}}\n</tool_call>',
    expected: {
      reasoning: '\nI could call <tool_call>\n{"name": "calculator", "arguments": {}}\n</tool_call>',
      content: null,
      calls: [],
    },
  },
  {
    name: 'Qwen3.5: a tool call without </think> ends reasoning and reaches the qwen3_coder parser',
    source: 'vllm tests/reasoning/test_qwen3_reasoning_parser.py tool_call_no_think_end, with the tool parser after it',
    parsers: { reasoning: 'qwen3', tools: 'qwen3_coder' },
    tools: BASH,
    output: `I need to read the file.\n\n${BASH_CALL}`,
    expected: {
      reasoning: 'I need to read the file.\n\n',
      content: null,
      calls: [{ name: 'bash', arguments: '{"command": "cat /etc/hosts"}' }],
    },
  },
  {
    name: 'thinking off: text and calls, no reasoning',
    source: 'own',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    thinking: false,
    tools: CALCULATOR,
    output: 'Computing.\n<tool_call>\n{"name": "calculator", "arguments": {"expression": "1+1"}}\n</tool_call>\n',
    expected: {
      reasoning: null,
      content: 'Computing.\n',
      calls: [{ name: 'calculator', arguments: '{"expression": "1+1"}' }],
    },
  },
  {
    name: 'the answer turn after a tool result',
    source: 'own',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    tools: CALCULATOR,
    output: '<think>\n84 it is.\n</think>\n\n12 * 7 = **84**.',
    expected: { reasoning: '\n84 it is.\n', content: '\n\n12 * 7 = **84**.', calls: [] },
  },
  {
    name: 'token-in on the original Qwen3 template (the prompt opens no think block): reasoning, then the call',
    source: 'own (token-in: promptEndsInThink false)',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    promptEndsInThink: false,
    tools: CALCULATOR,
    output:
      '<think>\nUse the tool.\n</think>\n\n<tool_call>\n{"name":"calculator","arguments":{"expression":"1+1"}}\n</tool_call>',
    expected: {
      reasoning: '\nUse the tool.\n',
      content: '\n\n',
      calls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }],
    },
  },
  {
    name: 'token-in, the prompt opens no think block, the model answers without one: content and the call',
    source: 'own (token-in: promptEndsInThink false)',
    parsers: { reasoning: 'qwen3', tools: 'hermes' },
    promptEndsInThink: false,
    tools: CALCULATOR,
    output: 'Computing.\n<tool_call>\n{"name": "calculator", "arguments": {"expression": "1+1"}}\n</tool_call>',
    expected: {
      reasoning: null,
      content: 'Computing.\n',
      calls: [{ name: 'calculator', arguments: '{"expression": "1+1"}' }],
    },
  },
]
