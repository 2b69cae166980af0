import type { ToolSpec } from '@strands-agents/sdk'
import { INVALID_TOOL_INPUT_KEY, invalidToolInputMessage, makeInvalidToolInput } from '@strands-vllm/model'
import { describe, expect, it } from 'vitest'
import { ToolCallValidator } from './tool-call-validator.js'

/**
 * Every message Python `strands-vllm` 0.0.6 (`tool_validation.py`) produces, written out byte for byte from its
 * f-strings, so a drift in wording is a failing test rather than a silent change of the training signal.
 * 0.0.6 does not parse string inputs any more (0.0.4 did): a string — e.g. double-encoded arguments that decode
 * to the string `{"a": 1}` — is "must be an object". The invalid-JSON text is 0.0.4's and belongs to the model
 * package, which owns the marker.
 */
const python = {
  unknownTool: (name: string, allowed: string[]) =>
    `Error: unknown tool: ${name} | allowed_tools=[${allowed.join(', ')}]`,
  notObject: (name: string) => `Error: tool_name=<${name}> | tool input must be an object`,
  missing: (name: string, keys: string[]) =>
    `Error: tool_name=<${name}> | missing required argument(s): ${keys.join(', ')}`,
  unknownArgs: (name: string, keys: string[]) => `Error: tool_name=<${name}> | unknown argument(s): ${keys.join(', ')}`,
}

const spec: ToolSpec = {
  name: 'add',
  description: 'Add two numbers',
  inputSchema: {
    type: 'object',
    properties: { b: { type: 'number' }, a: { type: 'number' } },
    required: ['b', 'a'],
    additionalProperties: false,
  },
}
const check = (input: unknown): string | undefined =>
  new ToolCallValidator({ validateSchema: false }).validate({ name: 'add', input, toolSpec: spec })?.message

describe('messages match Python strands-vllm 0.0.6 byte for byte', () => {
  it('unknown tool, with and without the allowed list', () => {
    const call = { name: 'mul', input: {}, toolSpec: undefined, allowedToolNames: ['add', 'sub'] }
    expect(new ToolCallValidator().validate(call)?.message).toBe(python.unknownTool('mul', ['add', 'sub']))
    expect(new ToolCallValidator().validate(call)?.message).toBe('Error: unknown tool: mul | allowed_tools=[add, sub]')
    expect(new ToolCallValidator({ includeAllowedToolsInErrors: false }).validate(call)?.message).toBe(
      'Error: unknown tool: mul'
    )
    expect(new ToolCallValidator().validate({ ...call, allowedToolNames: [] })?.message).toBe(
      'Error: unknown tool: mul | allowed_tools=[]'
    )
  })

  it('the allowed list over the maximum: first N names, then ", ... (+K more)"', () => {
    const call = { name: 'x', input: {}, toolSpec: undefined, allowedToolNames: ['a', 'b', 'c'] }
    expect(new ToolCallValidator({ maxAllowedToolsInError: 2 }).validate(call)?.message).toBe(
      'Error: unknown tool: x | allowed_tools=[a, b, ... (+1 more)]'
    )
  })

  it('a string input is "must be an object" (double-encoded arguments; 0.0.6 no longer parses strings)', () => {
    // JSON.parse('"{\\"a\\": 1, \\"b\\": 2}"') — what the SDK hands over for double-encoded arguments.
    const doubleEncoded = JSON.parse(JSON.stringify(JSON.stringify({ a: 1, b: 2 }))) as unknown
    expect(typeof doubleEncoded).toBe('string')
    expect(check(doubleEncoded)).toBe(python.notObject('add'))
    expect(check('{"a": 1, "b": 2}')).toBe('Error: tool_name=<add> | tool input must be an object')
    expect(check('{not json')).toBe('Error: tool_name=<add> | tool input must be an object')
    expect(check('')).toBe('Error: tool_name=<add> | tool input must be an object')
  })

  it('other non-objects are "must be an object"; null counts as {}', () => {
    for (const input of [[1, 2], 42, true, 0]) expect(check(input)).toBe(python.notObject('add'))
    expect(check(null)).toBe(python.missing('add', ['b', 'a']))
  })

  it('missing required arguments in schema order, unknown ones sorted', () => {
    expect(check({})).toBe('Error: tool_name=<add> | missing required argument(s): b, a')
    expect(check({ a: 1 })).toBe(python.missing('add', ['b']))
    expect(check({ a: 1, b: 2, z: 0, c: 0 })).toBe('Error: tool_name=<add> | unknown argument(s): c, z')
    expect(check({ a: 1, b: 2, z: 0, c: 0 })).toBe(python.unknownArgs('add', ['c', 'z']))
    expect(check({ z: 0 })).toBe(python.missing('add', ['b', 'a']))
  })

  it('invalid JSON arguments (the model package marker) read the one text the model package owns', () => {
    const failure = new ToolCallValidator().validate({
      name: 'add',
      input: makeInvalidToolInput('{"a": 1,', 'Unexpected end of JSON input'),
      toolSpec: spec,
    })
    expect(failure?.code).toBe('invalidJson')
    expect(failure?.message).toBe(invalidToolInputMessage('add'))
    expect(failure?.message).toBe('Error: tool_name=<add> | tool input is not valid JSON')
    expect(INVALID_TOOL_INPUT_KEY).toBe('__strands_vllm_invalid_json__')
  })
})
