/**
 * A subset of Python's `ast.literal_eval`, which vLLM's qwen3_coder parser falls back to for values that
 * are not JSON (Qwen models trained on Python write `{'k': 'v'}`, `True`, `None`, tuples). Supported:
 * strings (single, double, triple quotes, adjacent concatenation, common escapes), ints (decimal, hex,
 * octal, binary, underscores), floats, `True`/`False`/`None`, lists, tuples (as arrays), dicts (as `Map`s, keys
 * written as `json.dumps` writes them) and unary signs. Anything else (sets, bytes, complex, names) is
 * `undefined`: the caller keeps the text as a string, where vLLM would fail the same way or worse.
 */
export function pyLiteralEval(text: string): unknown {
  const parser = new LiteralParser(text)
  try {
    parser.skipSpace()
    const value = parser.value()
    parser.skipSpace()
    return parser.atEnd() ? value : undefined
  } catch (error) {
    if (error === FAIL) return undefined
    throw error
  }
}

const FAIL = Symbol('not a Python literal')
const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?)/
const ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
}

class LiteralParser {
  private i = 0
  private readonly s: string

  constructor(s: string) {
    this.s = s
  }

  atEnd(): boolean {
    return this.i >= this.s.length
  }

  skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++
  }

  value(): unknown {
    const c = this.s[this.i]
    if (c === undefined) throw FAIL
    if (c === '[') return this.sequence(']')
    if (c === '(') return this.sequence(')')
    if (c === '{') return this.dict()
    if (c === "'" || c === '"') return this.strings()
    if (c === '-' || c === '+') {
      this.i++
      this.skipSpace()
      const n = this.value()
      if (typeof n === 'number') return c === '-' ? -n : n
      if (typeof n === 'bigint') return c === '-' ? -n : n
      throw FAIL
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (this.s.startsWith(word, this.i) && !/\w/.test(this.s[this.i + word.length] ?? '')) {
        this.i += word.length
        return v
      }
    }
    return this.number()
  }

  private sequence(close: string): unknown {
    this.i++
    const items: unknown[] = []
    let sawComma = false
    for (;;) {
      this.skipSpace()
      if (this.s[this.i] === close) {
        this.i++
        // `(1)` is a parenthesized value, not a tuple.
        if (close === ')' && items.length === 1 && !sawComma) return items[0]
        return items
      }
      items.push(this.value())
      this.skipSpace()
      if (this.s[this.i] === ',') {
        sawComma = true
        this.i++
      } else if (this.s[this.i] !== close) throw FAIL
    }
  }

  private dict(): Map<string, unknown> {
    this.i++
    const map = new Map<string, unknown>()
    for (;;) {
      this.skipSpace()
      if (this.s[this.i] === '}') {
        this.i++
        return map
      }
      const key = this.value()
      this.skipSpace()
      if (this.s[this.i] !== ':') throw FAIL // `{1, 2}` is a set: json.dumps cannot write it either
      this.i++
      this.skipSpace()
      map.set(jsonKey(key), this.value())
      this.skipSpace()
      if (this.s[this.i] === ',') this.i++
      else if (this.s[this.i] !== '}') throw FAIL
    }
  }

  /** One or more adjacent string literals (`'a' "b"` is `'ab'`). */
  private strings(): string {
    let out = this.string()
    for (;;) {
      const save = this.i
      this.skipSpace()
      const c = this.s[this.i]
      if (c !== "'" && c !== '"') {
        this.i = save
        return out
      }
      out += this.string()
    }
  }

  private string(): string {
    const q = this.s[this.i]!
    const quote = this.s.startsWith(q.repeat(3), this.i) ? q.repeat(3) : q
    this.i += quote.length
    let out = ''
    for (;;) {
      if (this.i >= this.s.length) throw FAIL
      if (this.s.startsWith(quote, this.i)) {
        this.i += quote.length
        return out
      }
      const c = this.s[this.i]!
      if (c === '\n' && quote.length === 1) throw FAIL
      if (c !== '\\') {
        out += c
        this.i++
        continue
      }
      const e = this.s[this.i + 1]
      if (e === undefined) throw FAIL
      if (e in ESCAPES) {
        out += ESCAPES[e]
        this.i += 2
      } else if (e >= '0' && e <= '7') {
        const octal = /^[0-7]{1,3}/.exec(this.s.slice(this.i + 1))![0]
        out += String.fromCharCode(Number.parseInt(octal, 8))
        this.i += 1 + octal.length
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const width = e === 'x' ? 2 : e === 'u' ? 4 : 8
        const hex = this.s.slice(this.i + 2, this.i + 2 + width)
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw FAIL
        out += String.fromCodePoint(Number.parseInt(hex, 16))
        this.i += 2 + width
      } else {
        // Python keeps unknown escapes as written.
        out += c
        this.i++
      }
    }
  }

  private number(): number | bigint {
    const m = NUMBER.exec(this.s.slice(this.i))
    const text = m?.[0] ?? ''
    if (text.length === 0 || text === '.' || /^\.?[eE]/.test(text)) throw FAIL
    this.i += text.length
    if (/\w/.test(this.s[this.i] ?? '')) throw FAIL
    const clean = text.replaceAll('_', '')
    if (/^0[xXoObB]/.test(clean)) return integer(BigInt(clean))
    if (/^\d+$/.test(clean)) {
      if (/^0\d/.test(clean) && /[1-9]/.test(clean)) throw FAIL // `007` is a SyntaxError in Python 3
      return integer(BigInt(clean))
    }
    const n = Number(clean)
    if (Number.isNaN(n)) throw FAIL
    return n
  }
}

function integer(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
}

/** `json.dumps` turns non-string dict keys into strings this way. */
function jsonKey(key: unknown): string {
  if (typeof key === 'string') return key
  if (key === null) return 'null'
  if (typeof key === 'boolean' || typeof key === 'number' || typeof key === 'bigint') return String(key)
  throw FAIL
}
