import type { ParserFixture } from './harness.js'

const VLLM = 'vllm tests/reasoning/test_qwen3_reasoning_parser.py'
const qwen3 = { reasoning: 'qwen3' } as const

/** The Qwen3.5 tool-call body of vLLM's test: a `<tool_call>` right after reasoning that never closed. */
export const BASH_CALL =
  '<tool_call>\n<function=bash>\n<parameter=command>\ncat /etc/hosts\n</parameter>\n</function>\n</tool_call>'

export const qwen3ReasoningCases: ParserFixture[] = [
  {
    name: 'the prompt opened the think block: text up to </think> is reasoning, the rest content',
    source: `${VLLM} without_start_token`,
    parsers: qwen3,
    output: 'This is a reasoning section</think>This is the rest',
    expected: { reasoning: 'This is a reasoning section', content: 'This is the rest' },
  },
  {
    name: 'nothing after </think>: no content',
    source: `${VLLM} without_start_token_complete_reasoning`,
    parsers: qwen3,
    output: 'This is a reasoning section</think>',
    expected: { reasoning: 'This is a reasoning section', content: null },
  },
  {
    name: 'the model wrote <think> itself (older templates): the tag is dropped',
    source: `${VLLM} with_think`,
    parsers: qwen3,
    output: '<think>This is a reasoning section</think>This is the rest',
    expected: { reasoning: 'This is a reasoning section', content: 'This is the rest' },
  },
  {
    name: 'thinking on and no tags at all (cut off): everything is reasoning',
    source: `${VLLM} without_think`,
    parsers: qwen3,
    output: 'This is the rest',
    expected: { reasoning: 'This is the rest', content: null },
  },
  {
    name: 'both tags, nothing after',
    source: `${VLLM} complete_reasoning`,
    parsers: qwen3,
    output: '<think>This is a reasoning section</think>',
    expected: { reasoning: 'This is a reasoning section', content: null },
  },
  {
    name: 'newlines on both sides',
    source: `${VLLM} multiline_reasoning`,
    parsers: qwen3,
    output: '<think>This is a reasoning\nsection</think>This is the rest\nThat',
    expected: { reasoning: 'This is a reasoning\nsection', content: 'This is the rest\nThat' },
  },
  {
    name: 'an opened think block that never closes is all reasoning',
    source: `${VLLM} only_open_tag`,
    parsers: qwen3,
    output: '<think>This is a reasoning section',
    expected: { reasoning: 'This is a reasoning section', content: null },
  },
  {
    name: 'cut off without either tag (Qwen3.5 style prompt)',
    source: `${VLLM} truncated_no_start_token`,
    parsers: qwen3,
    output: 'This is a reasoning section',
    expected: { reasoning: 'This is a reasoning section', content: null },
  },
  {
    name: 'a <tool_call> with a <function=…> tag ends reasoning without </think>',
    source: `${VLLM} tool_call_no_think_end`,
    parsers: qwen3,
    output: `I need to read the file.\n\n${BASH_CALL}`,
    expected: { reasoning: 'I need to read the file.\n\n', content: BASH_CALL },
  },
  {
    name: 'the same after a <think> the model wrote',
    source: `${VLLM} tool_call_with_think_no_end`,
    parsers: qwen3,
    output: `<think>I need to read the file.\n\n${BASH_CALL}`,
    expected: { reasoning: 'I need to read the file.\n\n', content: BASH_CALL },
  },
  {
    name: 'thinking off: plain text is content',
    source: `${VLLM} thinking_disabled_plain_content`,
    parsers: qwen3,
    thinking: false,
    output: 'This is plain content',
    expected: { reasoning: null, content: 'This is plain content' },
  },
  {
    name: 'thinking off: a tool call after text is all content (for the tool parser)',
    source: `${VLLM} thinking_disabled_with_tool_call`,
    parsers: qwen3,
    thinking: false,
    output: `I need to read the file.\n\n${BASH_CALL}`,
    expected: { reasoning: null, content: `I need to read the file.\n\n${BASH_CALL}` },
  },
  {
    name: 'thinking off: think tags stay content (vLLM streams it so once the prompt closed reasoning)',
    source: 'own (vllm serving: prompt_is_reasoning_end routes everything to content)',
    parsers: qwen3,
    thinking: false,
    output: '<think>x</think>y',
    expected: { reasoning: null, content: '<think>x</think>y' },
  },
  {
    name: 'a <tool_call> mentioned in reasoning without a function tag stays reasoning',
    source: 'own (vllm qwen3 parser: <function=…> lookahead)',
    parsers: qwen3,
    output: 'Use <tool_call> tags for calls.</think>Done',
    expected: { reasoning: 'Use <tool_call> tags for calls.', content: 'Done' },
  },
  {
    name: 'a hermes call inside reasoning is not an implicit end (only <function=…> is)',
    source: 'own (vllm qwen3 parser: <function=…> lookahead)',
    parsers: qwen3,
    output: 'Maybe <tool_call>\n{"name": "f"}\n</tool_call> later.</think>\n\nAnswer',
    expected: { reasoning: 'Maybe <tool_call>\n{"name": "f"}\n</tool_call> later.', content: '\n\nAnswer' },
  },
  {
    name: 'a <tool_call> at the very end of reasoning stays reasoning',
    source: 'own (vllm qwen3 parser non-streaming: no <function=…> after it)',
    parsers: qwen3,
    output: 'thinking about it <tool_call>\n',
    expected: { reasoning: 'thinking about it <tool_call>\n', content: null },
  },
  {
    name: 'after </think> everything is content verbatim, tags included',
    source: 'own (vllm qwen3 parser: partition on the first </think>)',
    parsers: qwen3,
    output: '<think>a</think>b <think>c</think> d',
    expected: { reasoning: 'a', content: 'b <think>c</think> d' },
  },
  {
    name: 'a < that starts no tag streams as reasoning',
    source: 'own',
    parsers: qwen3,
    output: 'if a <b and c </thin k> then <',
    expected: { reasoning: 'if a <b and c </thin k> then <', content: null },
  },
  {
    name: 'Qwen3 with thinking: newlines around the reasoning are kept where vLLM keeps them',
    source: 'own (vllm qwen3 parser streaming, Qwen3-8B style output)',
    parsers: qwen3,
    output: '<think>\nThe user wants 12*7.\n</think>\n\n84',
    expected: { reasoning: '\nThe user wants 12*7.\n', content: '\n\n84' },
  },
]
