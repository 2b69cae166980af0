import type { WireTool } from '../../wire.js'
import type { ParserFixture } from './harness.js'

const VLLM = 'vllm tests/tool_parsers/test_qwen3coder_tool_parser.py'
const coder = { tools: 'qwen3_coder' } as const

const tool = (name: string, properties: Record<string, unknown>): WireTool => ({
  type: 'function',
  function: { name, description: '', parameters: { type: 'object', properties } },
})

/** The two tools of vLLM's test. */
export const SAMPLE_TOOLS: WireTool[] = [
  tool('get_current_weather', {
    city: { type: 'string', description: 'The city name' },
    state: { type: 'string', description: 'The state code' },
    unit: { type: 'string', enum: ['fahrenheit', 'celsius'] },
  }),
  tool('calculate_area', { shape: { type: 'string' }, dimensions: { type: 'object' }, precision: { type: 'integer' } }),
]

const weather = (city: string, state: string, unit: string): string =>
  `<tool_call>\n<function=get_current_weather>\n<parameter=city>\n${city}\n</parameter>\n<parameter=state>\n${state}\n</parameter>\n<parameter=unit>\n${unit}\n</parameter>\n</function>\n</tool_call>`

export const qwen3CoderCases: ParserFixture[] = [
  {
    name: 'text without a call is content',
    source: `${VLLM} test_extract_tool_calls_no_tools`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: 'This is a test response without any tool calls',
    expected: { content: 'This is a test response without any tool calls', calls: [] },
  },
  {
    name: 'one call; arguments as vLLM dumps them',
    source: `${VLLM} single_tool`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: weather('Dallas', 'TX', 'fahrenheit'),
    expected: {
      content: null,
      calls: [{ name: 'get_current_weather', arguments: '{"city": "Dallas", "state": "TX", "unit": "fahrenheit"}' }],
    },
  },
  {
    name: 'text right before the call is content',
    source: `${VLLM} single_tool_with_content`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: `Sure! Let me check the weather for you.${weather('Dallas', 'TX', 'fahrenheit')}`,
    expected: {
      content: 'Sure! Let me check the weather for you.',
      calls: [{ name: 'get_current_weather', arguments: { city: 'Dallas', state: 'TX', unit: 'fahrenheit' } }],
    },
  },
  {
    name: 'an object parameter over several lines, an integer parameter',
    source: `${VLLM} single_tool_multiline_param`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      '<tool_call>\n<function=calculate_area>\n<parameter=shape>\nrectangle\n</parameter>\n<parameter=dimensions>\n{"width": 10, \n "height": 20}\n</parameter>\n<parameter=precision>\n2\n</parameter>\n</function>\n</tool_call>',
    expected: {
      calls: [
        {
          name: 'calculate_area',
          arguments: '{"shape": "rectangle", "dimensions": {"width": 10, "height": 20}, "precision": 2}',
        },
      ],
    },
  },
  {
    name: 'two calls separated by a newline',
    source: `${VLLM} parallel_tools`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: `${weather('Dallas', 'TX', 'fahrenheit')}\n${weather('Orlando', 'FL', 'celsius')}`,
    expected: {
      content: null,
      calls: [
        { name: 'get_current_weather', arguments: { city: 'Dallas', state: 'TX', unit: 'fahrenheit' } },
        { name: 'get_current_weather', arguments: { city: 'Orlando', state: 'FL', unit: 'celsius' } },
      ],
    },
  },
  {
    name: 'a float inside an object parameter, text before the call',
    source: `${VLLM} tool_with_typed_params`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      'Let me calculate that area for you.<tool_call>\n<function=calculate_area>\n<parameter=shape>\ncircle\n</parameter>\n<parameter=dimensions>\n{"radius": 15.5}\n</parameter>\n<parameter=precision>\n3\n</parameter>\n</function>\n</tool_call>',
    expected: {
      content: 'Let me calculate that area for you.',
      calls: [{ name: 'calculate_area', arguments: '{"shape": "circle", "dimensions": {"radius": 15.5}, "precision": 3}' }],
    },
  },
  {
    name: 'values converted by the schema types',
    source: `${VLLM} test_extract_tool_calls_type_conversion`,
    parsers: coder,
    tools: [
      tool('test_types', {
        int_param: { type: 'integer' },
        float_param: { type: 'float' },
        bool_param: { type: 'boolean' },
        str_param: { type: 'string' },
        obj_param: { type: 'object' },
      }),
    ],
    output:
      '<tool_call>\n<function=test_types>\n<parameter=int_param>\n42\n</parameter>\n<parameter=float_param>\n3.14\n</parameter>\n<parameter=bool_param>\ntrue\n</parameter>\n<parameter=str_param>\nhello world\n</parameter>\n<parameter=obj_param>\n{"key": "value"}\n</parameter>\n</function>\n</tool_call>',
    expected: {
      calls: [
        {
          name: 'test_types',
          arguments:
            '{"int_param": 42, "float_param": 3.14, "bool_param": true, "str_param": "hello world", "obj_param": {"key": "value"}}',
        },
      ],
    },
  },
  {
    name: 'nullable unions (anyOf, type arrays) use their first non-null type',
    source: `${VLLM} test_extract_tool_calls_anyof_type_conversion`,
    parsers: coder,
    tools: [
      tool('test_anyof', {
        anyof_int: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: 5 },
        anyof_str: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        anyof_array: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
        anyof_obj: { anyOf: [{ type: 'object' }, { type: 'null' }] },
        type_as_array: { type: ['integer', 'null'] },
        multi_non_null: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
      }),
    ],
    output:
      '<tool_call>\n<function=test_anyof>\n<parameter=anyof_int>\n5\n</parameter>\n<parameter=anyof_str>\nhello\n</parameter>\n<parameter=anyof_array>\n["a", "b", "c"]\n</parameter>\n<parameter=anyof_obj>\n{"key": "value"}\n</parameter>\n<parameter=type_as_array>\n42\n</parameter>\n<parameter=multi_non_null>\nsome text\n</parameter>\n</function>\n</tool_call>',
    expected: {
      calls: [
        {
          name: 'test_anyof',
          arguments: {
            anyof_int: 5,
            anyof_str: 'hello',
            anyof_array: ['a', 'b', 'c'],
            anyof_obj: { key: 'value' },
            type_as_array: 42,
            multi_non_null: 'some text',
          },
        },
      ],
    },
  },
  {
    name: 'nullable string, integer and boolean parameters',
    source: `${VLLM} test_extract_tool_calls_anyof_type_conversion_streaming`,
    parsers: coder,
    tools: [
      tool('search_web', {
        query: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        count: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: 5 },
        verbose: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
      }),
    ],
    output:
      '<tool_call>\n<function=search_web>\n<parameter=query>\nvllm tool parser\n</parameter>\n<parameter=count>\n10\n</parameter>\n<parameter=verbose>\ntrue\n</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 'search_web', arguments: '{"query": "vllm tool parser", "count": 10, "verbose": true}' }] },
  },
  {
    name: 'a missing </parameter> ends at the next declared parameter',
    source: `${VLLM} test_extract_tool_calls_missing_closing_parameter_tag`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      'Let me check the weather for you:\n<tool_call>\n<function=get_current_weather>\n<parameter=city>\nDallas\n<parameter=state>\nTX\n</parameter>\n<parameter=unit>\nfahrenheit\n</parameter>\n</function>\n</tool_call>',
    expected: {
      content: 'Let me check the weather for you:\n',
      calls: [{ name: 'get_current_weather', arguments: { city: 'Dallas', state: 'TX', unit: 'fahrenheit' } }],
    },
  },
  {
    name: 'a function tag without ">" is no call: the block stays content (vLLM drops it)',
    source: `${VLLM} test_malformed_xml_no_gt_delimiter`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: '<tool_call>\n<function=get_current_weather\n<parameter=city>Dallas</parameter>\n</function>\n</tool_call>',
    expected: {
      content: '<tool_call>\n<function=get_current_weather\n<parameter=city>Dallas</parameter>\n</function>\n</tool_call>',
      calls: [],
    },
  },
  {
    name: 'a bad block before a good one: content, then the call',
    source: `${VLLM} test_none_tool_calls_filtered`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      '<tool_call>\n<function=bad_func_no_gt\n</function>\n</tool_call>\n<tool_call>\n<function=get_current_weather>\n<parameter=city>Dallas</parameter>\n<parameter=state>TX</parameter>\n</function>\n</tool_call>',
    expected: {
      content: '<tool_call>\n<function=bad_func_no_gt\n</function>\n</tool_call>\n',
      calls: [{ name: 'get_current_weather', arguments: '{"city": "Dallas", "state": "TX"}' }],
    },
  },
  {
    name: 'an inline object value for a nullable object is parsed once',
    source: `${VLLM} test_anyof_parameter_not_double_encoded`,
    parsers: coder,
    tools: [tool('update_record', { data: { anyOf: [{ type: 'object' }, { type: 'null' }] } })],
    output:
      '<tool_call>\n<function=update_record>\n<parameter=data>{"key": "value", "count": 42}</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 'update_record', arguments: '{"data": {"key": "value", "count": 42}}' }] },
  },
  {
    name: 'an inline string value is not serialized twice',
    source: `${VLLM} test_no_double_serialization_string_args`,
    parsers: coder,
    tools: [tool('greet', { message: { type: 'string' } })],
    output: '<tool_call>\n<function=greet>\n<parameter=message>hello world</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 'greet', arguments: '{"message": "hello world"}' }] },
  },
  {
    name: 'several parameters arriving at once',
    source: `${VLLM} test_streaming_multi_param_single_chunk`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      '<tool_call>\n<function=get_current_weather>\n<parameter=city>\nDallas\n</parameter>\n<parameter=state>\nTX\n</parameter>\n<parameter=unit>\nfahrenheit\n</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 'get_current_weather', arguments: { city: 'Dallas', state: 'TX', unit: 'fahrenheit' } }] },
  },
  {
    name: 'a <function=…> without <tool_call> is content (vLLM non-streaming guesses a call)',
    source: `${VLLM} test_extract_tool_calls_fallback_no_tags`,
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output:
      '<function=get_current_weather>\n<parameter=city>\nDallas\n</parameter>\n<parameter=state>\nTX\n</parameter>\n</function>',
    expected: {
      content:
        '<function=get_current_weather>\n<parameter=city>\nDallas\n</parameter>\n<parameter=state>\nTX\n</parameter>\n</function>',
      calls: [],
    },
  },
  {
    name: 'a value containing a </parameter> followed by more text keeps it',
    source: 'own (vllm: a </parameter> is structural only when a tag follows)',
    parsers: coder,
    tools: [tool('write_file', { path: { type: 'string' }, content: { type: 'string' } })],
    output:
      "<tool_call>\n<function=write_file>\n<parameter=path>\na.py\n</parameter>\n<parameter=content>\nx = '</parameter>' + y\nprint(x)\n</parameter>\n</function>\n</tool_call>",
    expected: {
      calls: [{ name: 'write_file', arguments: { path: 'a.py', content: "x = '</parameter>' + y\nprint(x)" } }],
    },
  },
  {
    name: 'a value holding a whole tool call in this format (code that writes prompts)',
    source: 'own (vllm: nested parameter pairs and structural </tool_call>)',
    parsers: coder,
    tools: [tool('write_file', { path: { type: 'string' }, content: { type: 'string' } })],
    output:
      '<tool_call>\n<function=write_file>\n<parameter=path>\nexample.txt\n</parameter>\n<parameter=content>\n<tool_call>\n<function=inner>\n<parameter=q>\n1\n</parameter>\n</function>\n</tool_call>\n</parameter>\n</function>\n</tool_call>',
    expected: {
      content: null,
      calls: [
        {
          name: 'write_file',
          arguments: {
            path: 'example.txt',
            content: '<tool_call>\n<function=inner>\n<parameter=q>\n1\n</parameter>\n</function>\n</tool_call>',
          },
        },
      ],
    },
  },
  {
    name: 'a tool the request did not offer: every value stays a string',
    source: 'own (vllm: no schema, no conversion)',
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: '<tool_call>\n<function=other>\n<parameter=n>\n5\n</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 'other', arguments: '{"n": "5"}' }] },
  },
  {
    name: 'a block cut off mid-parameter is content, verbatim',
    source: 'own (issue 12: an unclosed <tool_call> at the end is content)',
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: 'One moment.\n<tool_call>\n<function=get_current_weather>\n<parameter=city>\nDal',
    expected: {
      content: 'One moment.\n<tool_call>\n<function=get_current_weather>\n<parameter=city>\nDal',
      calls: [],
    },
  },
  {
    name: 'the output ended after </function> without </tool_call>: still a call',
    source: 'own (vllm accepts an unclosed block at the end)',
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: '<tool_call>\n<function=get_current_weather>\n<parameter=city>\nDallas\n</parameter>\n</function>\n',
    expected: { calls: [{ name: 'get_current_weather', arguments: '{"city": "Dallas"}' }] },
  },
  {
    name: 'text after a call is content, whitespace before it is not',
    source: 'own (vllm qwen3_coder streaming)',
    parsers: coder,
    tools: SAMPLE_TOOLS,
    output: `${weather('Dallas', 'TX', 'celsius')}\n\nAnything else?`,
    expected: { content: 'Anything else?', calls: [{ name: 'get_current_weather', arguments: { city: 'Dallas', state: 'TX', unit: 'celsius' } }] },
  },
  {
    name: 'Python literals for object, boolean and null values',
    source: 'own (vllm: ast.literal_eval fallback)',
    parsers: coder,
    tools: [
      tool('configure', {
        options: { type: 'object' },
        flag: { type: 'boolean' },
        limit: { type: 'integer' },
        label: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        tags: { type: 'array' },
      }),
    ],
    output:
      "<tool_call>\n<function=configure>\n<parameter=options>\n{'k': 'v', 'on': True, 'n': None, 't': (1, 2.5)}\n</parameter>\n<parameter=flag>\nFalse\n</parameter>\n<parameter=limit>\nnull\n</parameter>\n<parameter=label>\nNone\n</parameter>\n<parameter=tags>\n\"['a', 'b']\"\n</parameter>\n</function>\n</tool_call>",
    expected: {
      calls: [
        {
          name: 'configure',
          arguments:
            '{"options": {"k": "v", "on": true, "n": null, "t": [1, 2.5]}, "flag": false, "limit": null, "label": null, "tags": ["a", "b"]}',
        },
      ],
    },
  },
  {
    name: 'values that do not convert stay strings (a boolean that is not true/false too)',
    source: 'own (issue 12: unconvertible stays string)',
    parsers: coder,
    tools: [tool('t', { flag: { type: 'boolean' }, n: { type: 'integer' }, x: { type: 'number' }, o: { type: 'object' } })],
    output:
      '<tool_call>\n<function=t>\n<parameter=flag>\nyes\n</parameter>\n<parameter=n>\n4.5\n</parameter>\n<parameter=x>\ninf\n</parameter>\n<parameter=o>\n{broken\n</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 't', arguments: '{"flag": "yes", "n": "4.5", "x": "inf", "o": "{broken"}' }] },
  },
  {
    name: 'big and whole numbers are written as Python would',
    source: 'own (vllm: int(), float() then int for whole values)',
    parsers: coder,
    tools: [tool('t', { big: { type: 'integer' }, whole: { type: 'number' }, tiny: { type: 'number' } })],
    output:
      '<tool_call>\n<function=t>\n<parameter=big>\n12345678901234567890123\n</parameter>\n<parameter=whole>\n1e3\n</parameter>\n<parameter=tiny>\n0.00001\n</parameter>\n</function>\n</tool_call>',
    expected: { calls: [{ name: 't', arguments: '{"big": 12345678901234567890123, "whole": 1000, "tiny": 1e-05}' }] },
  },
]
