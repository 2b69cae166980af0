import type { ToolSpec } from '@strands-agents/sdk'
import { makeInvalidToolInput } from '@strands-vllm/model'
import { describe, expect, it } from 'vitest'
import { ToolSchemaCompileError, ValidationOptionsError, VLLMValidationError } from './errors.js'
import { calculatorSchema, calculatorSpec, searchSpec } from './testing/tools.js'
import { ToolCallValidator, type ToolValidationFailure } from './tool-call-validator.js'

const allowedToolNames = ['calculator', 'search']
const calc = (input: unknown, validator = new ToolCallValidator()): string | undefined =>
  validator.validate({ name: 'calculator', input, toolSpec: calculatorSpec })?.message
const search = (input: unknown, validator = new ToolCallValidator()): string | undefined =>
  validator.validate({ name: 'search', input, toolSpec: searchSpec })?.message

describe('ToolCallValidator: Python-compatible messages', () => {
  it('unknown tool, with the allowed tools in registry order', () => {
    const failure = new ToolCallValidator().validate({
      name: 'fake_tool',
      input: {},
      toolSpec: undefined,
      allowedToolNames,
    })
    expect(failure).toEqual({
      code: 'unknownTool',
      toolName: 'fake_tool',
      message: 'Error: unknown tool: fake_tool | allowed_tools=[calculator, search]',
    })
  })

  it('unknown tool over the maximum: first N names then the count', () => {
    const names = ['a', 'b', 'c', 'd', 'e']
    const v = new ToolCallValidator({ maxAllowedToolsInError: 3 })
    expect(v.validate({ name: 'x', input: {}, toolSpec: undefined, allowedToolNames: names })?.message).toBe(
      'Error: unknown tool: x | allowed_tools=[a, b, c, ... (+2 more)]'
    )
    for (const max of [0, -4]) {
      const none = new ToolCallValidator({ maxAllowedToolsInError: max })
      expect(none.validate({ name: 'x', input: {}, toolSpec: undefined, allowedToolNames: names })?.message).toBe(
        'Error: unknown tool: x | allowed_tools=[... (+5 more)]'
      )
    }
  })

  it('unknown tool without the list, and with an empty registry', () => {
    const v = new ToolCallValidator({ includeAllowedToolsInErrors: false })
    expect(v.validate({ name: 'print', input: {}, toolSpec: undefined, allowedToolNames })?.message).toBe(
      'Error: unknown tool: print'
    )
    expect(new ToolCallValidator().validate({ name: 'print', input: {}, toolSpec: undefined })?.message).toBe(
      'Error: unknown tool: print | allowed_tools=[]'
    )
  })

  it('unknown tool is reported even when input checks are off', () => {
    const v = new ToolCallValidator({ validateInputShape: false, validateSchema: false })
    expect(v.validate({ name: 'print', input: 'nonsense', toolSpec: undefined, allowedToolNames })?.code).toBe(
      'unknownTool'
    )
  })

  it('"did you mean" only when asked and when a name is close', () => {
    const v = new ToolCallValidator({ suggestClosestTool: true })
    expect(v.validate({ name: 'calculater', input: {}, toolSpec: undefined, allowedToolNames })?.message).toBe(
      'Error: unknown tool: calculater | allowed_tools=[calculator, search] | did you mean: calculator?'
    )
    expect(v.validate({ name: 'print', input: {}, toolSpec: undefined, allowedToolNames })?.message).toBe(
      'Error: unknown tool: print | allowed_tools=[calculator, search]'
    )
    expect(
      new ToolCallValidator().validate({ name: 'calculater', input: {}, toolSpec: undefined, allowedToolNames })
        ?.message
    ).toBe('Error: unknown tool: calculater | allowed_tools=[calculator, search]')
  })

  it('missing required arguments, in schema order', () => {
    expect(calc({})).toBe('Error: tool_name=<calculator> | missing required argument(s): expression')
    const spec: ToolSpec = {
      ...calculatorSpec,
      inputSchema: { ...calculatorSchema, required: ['precision', 'expression'] },
    }
    expect(new ToolCallValidator().validate({ name: 'calculator', input: {}, toolSpec: spec })?.message).toBe(
      'Error: tool_name=<calculator> | missing required argument(s): precision, expression'
    )
  })

  it('unknown arguments, sorted, only when additionalProperties is false', () => {
    expect(calc({ expression: '1+1', zeta: 1, invalid_param: 2 })).toBe(
      'Error: tool_name=<calculator> | unknown argument(s): invalid_param, zeta'
    )
    // search's root schema is open: an extra argument is fine
    expect(search({ query: 'q', extra: true })).toBeUndefined()
  })

  it('missing is reported before unknown', () => {
    expect(calc({ invalid_param: 1 })).toBe('Error: tool_name=<calculator> | missing required argument(s): expression')
  })

  it('tool input must be an object', () => {
    for (const input of [[1, 2], 42, true, '[1]', '"text"', 'null', '{"expression": "1+1"}']) {
      expect(calc(input)).toBe('Error: tool_name=<calculator> | tool input must be an object')
    }
  })

  it('tool input is not valid JSON: the model package marker', () => {
    const marker = makeInvalidToolInput('{"expression": "1+', 'Unexpected end of JSON input')
    expect(calc(marker)).toBe('Error: tool_name=<calculator> | tool input is not valid JSON')
  })

  it('null and undefined input count as {}', () => {
    expect(calc(null)).toBe('Error: tool_name=<calculator> | missing required argument(s): expression')
    expect(calc(undefined)).toBe('Error: tool_name=<calculator> | missing required argument(s): expression')
  })

  it('accepts a valid call', () => {
    expect(calc({ expression: '2*3' })).toBeUndefined()
    expect(calc({ expression: '2*3', precision: 4 })).toBeUndefined()
    expect(search({ query: 'q', filters: { mode: 'fast', tags: ['a'] }, limit: null })).toBeUndefined()
  })
})

describe('ToolCallValidator: schema violations', () => {
  it('one line listing each violation by pointer and reason', () => {
    expect(calc({ expression: 7, precision: 11 })).toBe(
      'Error: tool_name=<calculator> | invalid argument(s): /expression must be string; /precision must be <= 10'
    )
    expect(calc({ expression: '1', precision: 1.5 })).toBe(
      'Error: tool_name=<calculator> | invalid argument(s): /precision must be integer'
    )
  })

  it('nested required, additional properties, enums, arrays and anyOf', () => {
    expect(search({ query: '', filters: { extra: 1, tags: ['a', 2, 'c', 'd'] }, limit: 'ten' })).toBe(
      'Error: tool_name=<search> | invalid argument(s): /filters/extra is not allowed; /filters/mode is required; ' +
        '/filters/tags must have at most 3 item(s); /filters/tags/1 must be string; /limit must be integer or null; ... (+1 more)'
    )
    const failure = new ToolCallValidator().validate({
      name: 'search',
      input: { query: 'q', filters: { mode: 'slow' } },
      toolSpec: searchSpec,
    })
    expect(failure?.message).toBe(
      'Error: tool_name=<search> | invalid argument(s): /filters/mode must be one of "fast", "deep"'
    )
  })

  it('words an anyOf violation on an array item the same whatever its sibling items hold', () => {
    const spec: ToolSpec = {
      name: 't',
      description: 'd',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } } },
      },
    }
    const msg = (a: unknown[]) => new ToolCallValidator().validate({ name: 't', input: { a }, toolSpec: spec })?.message
    expect(msg([true])).toBe('Error: tool_name=<t> | invalid argument(s): /a/0 must be string or number')
    expect(msg([true, null])).toBe(
      'Error: tool_name=<t> | invalid argument(s): /a/0 must be string or number; /a/1 must be string or number'
    )
    const eleven = [...Array.from({ length: 10 }, () => 'x'), false]
    eleven[1] = null as unknown as string
    expect(msg(eleven)).toBe(
      'Error: tool_name=<t> | invalid argument(s): /a/1 must be string or number; /a/10 must be string or number'
    )
  })

  it('keeps nested branch errors inside their own anyOf item', () => {
    const spec: ToolSpec = {
      name: 't',
      description: 'd',
      inputSchema: {
        type: 'object',
        properties: {
          a: {
            type: 'array',
            items: { anyOf: [{ type: 'object', required: ['k'] }, { type: 'string' }] },
          },
        },
      },
    }
    const failure = new ToolCallValidator().validate({ name: 't', input: { a: [{}, 'ok', 3] }, toolSpec: spec })
    expect(failure?.message).toBe(
      'Error: tool_name=<t> | invalid argument(s): /a/0 must match at least one schema in anyOf; ' +
        '/a/2 must be object or string'
    )
    // Alone, item 2 reads the same: its wording does not depend on item 0's nested error.
    const alone = new ToolCallValidator().validate({ name: 't', input: { a: [3] }, toolSpec: spec })
    expect(alone?.message).toBe('Error: tool_name=<t> | invalid argument(s): /a/0 must be object or string')
  })

  it('returns every violation sorted by pointer (array indices numerically), then keyword', () => {
    const spec: ToolSpec = {
      name: 'list',
      description: 'd',
      inputSchema: { type: 'object', properties: { xs: { type: 'array', items: { type: 'integer', minimum: 0 } } } },
    }
    const xs = Array.from({ length: 12 }, () => -1.5)
    const failure = new ToolCallValidator().validate({ name: 'list', input: { xs }, toolSpec: spec })
    const pointers = failure?.violations?.map((v) => `${v.pointer} ${v.keyword}`)
    expect(pointers?.slice(0, 4)).toEqual(['/xs/0 minimum', '/xs/0 type', '/xs/1 minimum', '/xs/1 type'])
    expect(pointers?.[pointers.length - 1]).toBe('/xs/11 type')
    expect(failure?.message).toBe(
      'Error: tool_name=<list> | invalid argument(s): /xs/0 must be >= 0; /xs/0 must be integer; ' +
        '/xs/1 must be >= 0; /xs/1 must be integer; /xs/2 must be >= 0; ... (+19 more)'
    )
  })

  it('caps the item count and the length, and is byte-identical across runs and instances', () => {
    const input = { query: 7, filters: { mode: 1, site: 2, tags: 'x' }, limit: 'y' }
    const a = search(input, new ToolCallValidator({ maxViolationsInError: 2 }))
    expect(a).toBe(
      'Error: tool_name=<search> | invalid argument(s): /filters/mode must be one of "fast", "deep"; /filters/site must be string; ... (+3 more)'
    )
    const short = search(input, new ToolCallValidator({ maxViolationsLength: 10 }))
    expect(short).toBe(
      'Error: tool_name=<search> | invalid argument(s): /filters/mode must be one of "fast", "deep"; ... (+4 more)'
    )
    const v = new ToolCallValidator()
    const runs = new Set([search(input, v), search(input, v), search(structuredClone(input))])
    expect(runs.size).toBe(1)
  })

  it('escapes pointer segments and does not quote the input value', () => {
    const spec: ToolSpec = {
      name: 't',
      description: 'd',
      inputSchema: { type: 'object', properties: { 'a/b': { type: 'object', required: ['c~d'] } } },
    }
    const msg = new ToolCallValidator().validate({ name: 't', input: { 'a/b': { secret: 'hunter2' } }, toolSpec: spec })
    expect(msg?.message).toBe('Error: tool_name=<t> | invalid argument(s): /a~1b/c~0d is required')
  })

  it('reports root-level problems at "/" when shape checks are off', () => {
    const v = new ToolCallValidator({ validateInputShape: false })
    expect(calc({ zzz: 1 }, v)).toBe(
      'Error: tool_name=<calculator> | invalid argument(s): /expression is required; /zzz is not allowed'
    )
    const spec: ToolSpec = { name: 't', description: 'd', inputSchema: { type: 'object', minProperties: 1 } }
    expect(v.validate({ name: 't', input: {}, toolSpec: spec })?.message).toBe(
      'Error: tool_name=<t> | invalid argument(s): / must have at least 1 property'
    )
  })

  it('validates draft 2020-12 schemas (zod 4 output) with $defs', () => {
    const inputSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { $ref: '#/$defs/n' }] } },
      $defs: { n: { type: 'number' } },
    } as const
    const spec: ToolSpec = { name: 'z', description: 'd', inputSchema }
    expect(new ToolCallValidator().validate({ name: 'z', input: { pair: ['a', 'b'] }, toolSpec: spec })?.message).toBe(
      'Error: tool_name=<z> | invalid argument(s): /pair/1 must be number'
    )
  })

  it('asserts string formats (what zod emits for email, uuid, dates), ignoring unknown format names', () => {
    const inputSchema = {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        day: { type: 'string', format: 'date' },
        tag: { type: 'string', format: 'no-such-format' },
      },
    } as const
    const spec: ToolSpec = { name: 'book', description: 'd', inputSchema }
    const check = (input: unknown): string | undefined =>
      new ToolCallValidator().validate({ name: 'book', input, toolSpec: spec })?.message
    expect(check({ email: 'a@b.co', day: '2026-11-24', tag: 'x' })).toBeUndefined()
    expect(check({ email: 'not-an-email', day: 'tomorrow' })).toBe(
      'Error: tool_name=<book> | invalid argument(s): /day must match format "date"; /email must match format "email"'
    )
  })

  it('validateSchema: false keeps only the shape checks', () => {
    expect(calc({ expression: 7 }, new ToolCallValidator({ validateSchema: false }))).toBeUndefined()
  })

  it('both checks off: any input passes for a known tool', () => {
    const v = new ToolCallValidator({ validateInputShape: false, validateSchema: false })
    expect(calc('{not json', v)).toBeUndefined()
  })

  it('validateInputShape: false still rejects invalid JSON and non-objects before the schema', () => {
    const v = new ToolCallValidator({ validateInputShape: false })
    expect(calc(makeInvalidToolInput('{', 'x'), v)).toBe('Error: tool_name=<calculator> | tool input is not valid JSON')
    expect(calc([1], v)).toBe('Error: tool_name=<calculator> | tool input must be an object')
    expect(calc('{"expression": "1"}', v)).toBe('Error: tool_name=<calculator> | tool input must be an object')
  })
})

describe('ToolCallValidator: schemas ajv cannot compile', () => {
  const broken: ToolSpec = {
    name: 'broken',
    description: 'd',
    inputSchema: { type: 'object', properties: { a: { type: 'strin' } }, required: ['a'] } as never,
  }

  it('falls back to the shape checks and reports once per schema, never throwing', () => {
    const errors: ToolSchemaCompileError[] = []
    const v = new ToolCallValidator({ onSchemaError: (e) => errors.push(e) })
    expect(v.validate({ name: 'broken', input: { a: 1 }, toolSpec: broken })).toBeUndefined()
    expect(v.validate({ name: 'broken', input: {}, toolSpec: broken })?.message).toBe(
      'Error: tool_name=<broken> | missing required argument(s): a'
    )
    // a rebuilt spec with the same schema text hits the JSON-keyed cache: still reported once
    v.validate({ name: 'broken', input: { a: 1 }, toolSpec: structuredClone(broken) })
    expect(errors).toHaveLength(1)
    const [error] = errors
    expect(ToolSchemaCompileError.isInstance(error)).toBe(true)
    expect(VLLMValidationError.isInstance(error)).toBe(true)
    expect(error?.toolName).toBe('broken')
    expect(error?.message).toMatch(/^tool_name=<broken> \| input schema cannot be compiled, using shape checks only: /)
  })

  it('an unresolvable $ref is a compile error too', () => {
    const errors: unknown[] = []
    const v = new ToolCallValidator({ onSchemaError: (e) => errors.push(e) })
    const spec: ToolSpec = { name: 'r', description: 'd', inputSchema: { properties: { a: { $ref: '#/nope' } } } }
    expect(v.validate({ name: 'r', input: { a: 1 }, toolSpec: spec })).toBeUndefined()
    expect(errors).toHaveLength(1)
  })

  it('tools without an input schema accept any object', () => {
    const spec: ToolSpec = { name: 'free', description: 'd' }
    expect(new ToolCallValidator().validate({ name: 'free', input: { x: 1 }, toolSpec: spec })).toBeUndefined()
  })

  it("accepts the Python SDK's { json: schema } wrapper", () => {
    const spec = { name: 'w', description: 'd', inputSchema: { json: calculatorSchema } } as ToolSpec
    expect(new ToolCallValidator().validate({ name: 'w', input: {}, toolSpec: spec })?.message).toBe(
      'Error: tool_name=<w> | missing required argument(s): expression'
    )
  })
})

describe('ToolCallValidator: options', () => {
  it('rejects nonsense numbers with a typed error', () => {
    expect(() => new ToolCallValidator({ maxAllowedToolsInError: Number.NaN })).toThrow(ValidationOptionsError)
    expect(() => new ToolCallValidator({ maxAllowedToolsInError: '3' as never })).toThrow(
      'option=<maxAllowedToolsInError> | must be a number, got "3"'
    )
    expect(() => new ToolCallValidator({ maxViolationsInError: 0 })).toThrow(
      'option=<maxViolationsInError> | must be at least 1, got 0'
    )
    try {
      new ToolCallValidator({ maxViolationsLength: -1 })
    } catch (e) {
      expect(ValidationOptionsError.isInstance(e)).toBe(true)
      expect(VLLMValidationError.isInstance(e)).toBe(true)
    }
  })

  it('has the documented defaults', () => {
    const { options } = new ToolCallValidator()
    expect(options).toMatchObject({
      includeAllowedToolsInErrors: true,
      maxAllowedToolsInError: 25,
      validateInputShape: true,
      validateSchema: true,
      suggestClosestTool: false,
      maxViolationsInError: 5,
      maxViolationsLength: 400,
    })
  })

  it('calls onInvalidToolCall for each rejected call only', () => {
    const seen: ToolValidationFailure[] = []
    const v = new ToolCallValidator({ onInvalidToolCall: (f) => seen.push(f) })
    calc({ expression: '1' }, v)
    calc({}, v)
    expect(seen.map((f) => f.code)).toEqual(['missingArguments'])
  })
})
