import { describe, expect, it } from 'vitest'
import { convertParamValue } from './schema-value.js'

describe('convertParamValue (vLLM qwen3_coder conversion rules)', () => {
  it.each([
    ['integer', ' 42 ', 42],
    ['integer', '+1_000', 1000],
    ['integer', '-7', -7],
    ['integer', '1.0', '1.0'],
    ['int64', '9007199254740993', 9007199254740993n],
    ['number', '3.14', 3.14],
    ['number', '2.0', 2],
    ['number', '-0.0', 0],
    ['number', '.5', 0.5],
    ['number', '1e400', '1e400'],
    ['number', 'nan', 'nan'],
    ['float', '12', 12],
    ['boolean', 'True', true],
    ['boolean', 'false', false],
    ['boolean', 'maybe', 'maybe'],
    ['string', 'null', 'null'],
    ['string', '  spaced  ', '  spaced  '],
    ['integer', 'None', null],
    ['object', '{"a": [1, 2]}', { a: [1, 2] }],
    ['object', "{'a': 'b'}", new Map([['a', 'b']])],
    ['array', '[1, "x"]', [1, 'x']],
    ['array', 'not json', 'not json'],
    ['dict[str, int]', '{"a": 1}', { a: 1 }],
    ['any', '42', 42],
    ['any', 'plain words', 'plain words'],
  ])('%s %j', (type, value, expected) => {
    expect(convertParamValue(value, { type })).toEqual(expected)
  })

  it('keeps undeclared parameters and schemas without a type as strings', () => {
    expect(convertParamValue('5', undefined)).toBe('5')
    expect(convertParamValue('5', { description: 'n' })).toBe('5')
  })

  it('null only for nullable strings', () => {
    expect(convertParamValue('None', { anyOf: [{ type: 'string' }, { type: 'null' }] })).toBeNull()
    expect(convertParamValue('None', { type: ['string', 'null'] })).toBeNull()
    expect(convertParamValue('None', { type: 'string' })).toBe('None')
  })
})
