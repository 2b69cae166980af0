import { describe, expect, it } from 'vitest'
import { pyLiteralEval } from './python-literal.js'

describe('pyLiteralEval', () => {
  it.each([
    ['42', 42],
    ['-3.5', -3.5],
    ['0x1F', 31],
    ['1_000', 1000],
    ['True', true],
    ['None', null],
    ["'it\\'s'", "it's"],
    ['"a" \'b\'', 'ab'],
    ["'''multi\nline'''", 'multi\nline'],
    ["'\\x41\\u00e9\\n\\101'", 'Aé\nA'],
    ['[1, (2, 3), []]', [1, [2, 3], []]],
    ['(1)', 1],
    ['(1,)', [1]],
    [
      "{'a': 1, 2: 'b', None: True}",
      new Map<string, unknown>([
        ['a', 1],
        ['2', 'b'],
        ['null', true],
      ]),
    ],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
  ])('%s', (text, expected) => {
    expect(pyLiteralEval(text)).toEqual(expected)
  })

  it.each(['hello', '007', '{1, 2}', "b'x'", '1 2', '[1,', 'Truex', "'open", 'a.b', '1j'])(
    'is not a literal: %s',
    (text) => {
      expect(pyLiteralEval(text)).toBeUndefined()
    }
  )
})
