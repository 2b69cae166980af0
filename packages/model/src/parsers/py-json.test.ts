import { describe, expect, it } from 'vitest'
import { pyJsonDumps } from './py-json.js'

describe("pyJsonDumps (Python's json.dumps with ensure_ascii=False)", () => {
  it.each([
    [
      new Map<string, unknown>([
        ['b', 1],
        ['a', [true, null]],
      ]),
      '{"b": 1, "a": [true, null]}',
    ],
    [
      new Map([
        ['10', 'x'],
        ['2', 'y'],
      ]),
      '{"10": "x", "2": "y"}',
    ],
    [{ s: 'é "q"\n\u0001' }, '{"s": "é \\"q\\"\\n\\u0001"}'],
    [[], '[]'],
    [{}, '{}'],
    [12345678901234567890n, '12345678901234567890'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [0.0001, '0.0001'],
    [123.456, '123.456'],
    [1.5e16, '1.5e+16'],
    [1.25e300, '1.25e+300'],
    [-2.5, '-2.5'],
  ])('case %# → %s', (value, expected) => {
    expect(pyJsonDumps(value)).toBe(expected)
  })
})
