import type { ParserFixture } from './harness.js'

const VLLM = 'vllm tests/tool_parsers/test_hermes_tool_parser.py'
const hermes = { tools: 'hermes' } as const

/** Python's `json.dumps({"name": "f", "arguments": value})`, as vLLM's test builds the text. */
const dumpsCall = (value: string): string => `{"name": "f", "arguments": ${JSON.stringify(value)}}`

export const hermesCases: ParserFixture[] = [
  {
    name: 'text without a call streams through as content',
    source: `${VLLM} test_hermes_parser_streaming_just_forward_text`,
    parsers: hermes,
    output: 'This is some prior text that has nothing to do with tool calling.',
    expected: { content: 'This is some prior text that has nothing to do with tool calling.', calls: [] },
  },
  {
    name: 'a boolean argument (bug 19056): arguments exactly as written',
    source: `${VLLM} test_hermes_parser_streaming_failure_case_bug_19056`,
    parsers: hermes,
    output: '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}}\n</tool_call>',
    expected: { content: null, calls: [{ name: 'final_answer', arguments: '{"trigger": true}' }] },
  },
  {
    name: 'JSON broken over (Python-continued) lines',
    source: `${VLLM} test_hermes_parser_streaming`,
    parsers: hermes,
    output:
      '<tool_call>{"name": "get_current_temperature","arguments": {"location":"San Francisco, California, United States", "unit": "celsius"}}</tool_call>',
    expected: {
      content: null,
      calls: [
        {
          name: 'get_current_temperature',
          arguments: '{"location":"San Francisco, California, United States", "unit": "celsius"}',
        },
      ],
    },
  },
  {
    name: 'a call with no newlines inside the tags',
    source: `${VLLM} test_hermes_streaming_tool_call_with_stream_interval`,
    parsers: hermes,
    output:
      '<tool_call>{"name": "get_current_temperature", "arguments": {"location": "San Francisco", "unit": "celsius"}}</tool_call>',
    expected: {
      calls: [{ name: 'get_current_temperature', arguments: { location: 'San Francisco', unit: 'celsius' } }],
    },
  },
  {
    name: 'text before a call is content',
    source: `${VLLM} test_hermes_streaming_content_then_tool_call_with_stream_interval`,
    parsers: hermes,
    output: 'Sure, let me check the weather.<tool_call>{"name": "get_weather", "arguments": {"city": "NYC"}}</tool_call>',
    expected: {
      content: 'Sure, let me check the weather.',
      calls: [{ name: 'get_weather', arguments: '{"city": "NYC"}' }],
    },
  },
  {
    name: 'two calls back to back get indices 0 and 1',
    source: `${VLLM} test_hermes_streaming_multiple_tool_calls_with_stream_interval`,
    parsers: hermes,
    output:
      '<tool_call>{"name": "search", "arguments": {"q": "cats"}}</tool_call><tool_call>{"name": "search", "arguments": {"q": "dogs"}}</tool_call>',
    expected: {
      content: null,
      calls: [
        { name: 'search', arguments: '{"q": "cats"}' },
        { name: 'search', arguments: '{"q": "dogs"}' },
      ],
    },
  },
  {
    name: 'plain text, no call',
    source: `${VLLM} test_hermes_streaming_just_forward_text_with_stream_interval`,
    parsers: hermes,
    output: 'This is plain text with no tool calling involved.',
    expected: { content: 'This is plain text with no tool calling involved.', calls: [] },
  },
  {
    name: 'a sentence that is not a call',
    source: `${VLLM} test_hermes_parser_non_streaming_no_tool_call`,
    parsers: hermes,
    output: 'This is not a tool call.',
    expected: { content: 'This is not a tool call.', calls: [] },
  },
  {
    name: 'the output ended inside the block but the JSON is complete: still a call',
    source: `${VLLM} test_hermes_parser_non_streaming_tool_call_until_eos`,
    parsers: hermes,
    output: '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}}',
    expected: { content: null, calls: [{ name: 'final_answer', arguments: '{"trigger": true}' }] },
  },
  {
    name: 'the output ended inside the block with incomplete JSON: the raw text is content',
    source: `${VLLM} test_hermes_parser_non_streaming_tool_call_invalid_json`,
    parsers: hermes,
    output: '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}',
    expected: { content: '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}', calls: [] },
  },
  {
    name: 'arguments serialized into a string holding an object are decoded once',
    source: `${VLLM} test_hermes_parser_non_streaming_serialized_arguments`,
    parsers: hermes,
    output: '<tool_call>\n{"name": "get_db_config", "arguments": "{\\"param\\": \\"max_connections\\"}"}\n</tool_call>',
    expected: { calls: [{ name: 'get_db_config', arguments: '{"param": "max_connections"}' }] },
  },
  {
    name: 'a string argument that holds no object stays a JSON string',
    source: `${VLLM} test_hermes_parser_non_streaming_bare_string_arguments`,
    parsers: hermes,
    output: '<tool_call>\n{"name": "do_thing", "arguments": "hello"}\n</tool_call>',
    expected: { calls: [{ name: 'do_thing', arguments: '"hello"' }] },
  },
  ...['{hello world}', '[oops', '{"a": 1} tail text'].map(
    (value): ParserFixture => ({
      name: `a string argument that only looks structured stays a string: ${value}`,
      source: `${VLLM} test_hermes_streaming_string_arguments_match_non_streaming`,
      parsers: hermes,
      output: `<tool_call>${dumpsCall(value)}</tool_call>`,
      expected: { calls: [{ name: 'f', arguments: JSON.stringify(value) }] },
    })
  ),
  {
    name: 'content and a whole call in one piece',
    source: `${VLLM} test_hermes_streaming_content_and_tool_call_in_single_chunk`,
    parsers: hermes,
    output: 'Hi!<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>',
    expected: { content: 'Hi!', calls: [{ name: 'f', arguments: '{"x": 1}' }] },
  },
  {
    name: 'a closed block whose JSON does not parse is a call with the raw text as arguments',
    source: 'own (issue 12: the invalid-input marker, never a silent {})',
    parsers: hermes,
    output: '<tool_call>\n{"name": "f", "arguments": {"x": 1}\n</tool_call>',
    expected: { content: null, calls: [{ name: 'f', arguments: '{"name": "f", "arguments": {"x": 1}' }] },
  },
  {
    name: 'a closed block that is not JSON at all: a nameless call with the raw text',
    source: 'own',
    parsers: hermes,
    output: '<tool_call>\nget_weather(city="Paris")\n</tool_call>',
    expected: { calls: [{ name: '', arguments: 'get_weather(city="Paris")' }] },
  },
  {
    name: 'an empty block is content, not a call with empty arguments',
    source: 'own',
    parsers: hermes,
    output: 'x<tool_call>\n</tool_call>',
    expected: { content: 'x<tool_call>\n</tool_call>', calls: [] },
  },
  {
    name: 'whitespace between and after calls is not content',
    source: 'own (vllm: whitespace-only content next to tool calls is dropped)',
    parsers: hermes,
    output:
      '<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n\n<tool_call>\n{"name": "b", "arguments": {}}\n</tool_call>\n',
    expected: {
      content: null,
      calls: [
        { name: 'a', arguments: '{}' },
        { name: 'b', arguments: '{}' },
      ],
    },
  },
  {
    name: 'real text after a call is content (its leading whitespace is not)',
    source: 'own (vllm qwen3_coder streaming keeps trailing text; nothing the model wrote is dropped)',
    parsers: hermes,
    output: 'Checking.\n<tool_call>\n{"name": "a", "arguments": {"k": 1}}\n</tool_call>\nDone for now. ',
    expected: { content: 'Checking.\nDone for now. ', calls: [{ name: 'a', arguments: '{"k": 1}' }] },
  },
  {
    name: 'a block cut off by max_tokens is content, verbatim',
    source: 'own (issue 12: an unclosed <tool_call> at the end is content)',
    parsers: hermes,
    output: 'Let me look.\n<tool_call>\n{"name": "search", "argu',
    expected: { content: 'Let me look.\n<tool_call>\n{"name": "search", "argu', calls: [] },
  },
  {
    name: 'a call object without arguments calls the function with none',
    source: 'own',
    parsers: hermes,
    output: '<tool_call>\n{"name": "get_time"}\n</tool_call>',
    expected: { calls: [{ name: 'get_time', arguments: '{}' }] },
  },
  {
    name: 'braces, quotes and the word "arguments" inside string values do not confuse the raw span',
    source: 'own',
    parsers: hermes,
    output:
      '<tool_call>\n{"name": "echo", "arguments": {"text": "a } \\"arguments\\": {", "n": [1, {"m": 2}]}, "x": 1}\n</tool_call>',
    expected: { calls: [{ name: 'echo', arguments: '{"text": "a } \\"arguments\\": {", "n": [1, {"m": 2}]}' }] },
  },
  {
    name: 'compact JSON, escapes and non-ASCII text are kept as written',
    source: 'own (issue 12: compact JSON in the rollout)',
    parsers: hermes,
    output: '<tool_call>\n{"name":"say","arguments":{"text":"h\\u00e9llo é 😀\\n"}}\n</tool_call>',
    expected: { calls: [{ name: 'say', arguments: '{"text":"h\\u00e9llo é 😀\\n"}' }] },
  },
  {
    name: '"arguments" before "name"',
    source: 'own',
    parsers: hermes,
    output: '<tool_call>{"arguments": {"q": 1}, "name": "s"}</tool_call>',
    expected: { calls: [{ name: 's', arguments: '{"q": 1}' }] },
  },
  {
    name: 'text that only starts like a tag is content',
    source: 'own',
    parsers: hermes,
    output: 'a <tool b <tool_cal> c <tool_',
    expected: { content: 'a <tool b <tool_cal> c <tool_', calls: [] },
  },
]
