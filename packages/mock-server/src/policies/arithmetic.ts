/** Finds the first arithmetic expression in text, e.g. `What is (12 + 3) * 4?` → `(12 + 3) * 4`. */
export function findArithmetic(text: string | undefined): string | undefined {
  if (!text) return undefined
  const match = /[(-]*\s*\d+(?:\.\d+)?(?:\s*[-+*/^%×x÷]\s*[(\s-]*\d+(?:\.\d+)?\s*\)*)+/.exec(text)
  if (!match) return undefined
  const expr = match[0]
    .trim()
    .replace(/×|(?<=\d\s*)x(?=\s*[\d(])/g, '*')
    .replace(/÷/g, '/')
  return evaluateArithmetic(expr) === undefined ? undefined : expr
}

/**
 * Evaluates `+ - * / % ^` and parentheses on plain numbers, without `eval`. Returns undefined for anything
 * else, so a policy (or a demo's calculator tool) never runs arbitrary code.
 */
export function evaluateArithmetic(expression: string): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/%^()]|\S/g) ?? []
  let pos = 0
  const peek = (): string | undefined => tokens[pos]
  const primary = (): number => {
    const token = tokens[pos++]
    if (token === '(') {
      const value = sum()
      if (tokens[pos++] !== ')') throw new Error('unbalanced')
      return value
    }
    if (token === '-') return -primary()
    if (token === '+') return primary()
    if (token !== undefined && /^\d/.test(token)) return Number(token)
    throw new Error('unexpected token')
  }
  const power = (): number => {
    const base = primary()
    if (peek() !== '^') return base
    pos++
    return base ** power()
  }
  const product = (): number => {
    let value = power()
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      pos++
      const right = power()
      value = op === '*' ? value * right : op === '/' ? value / right : value % right
    }
    return value
  }
  const sum = (): number => {
    let value = product()
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++
      value = op === '+' ? value + product() : value - product()
    }
    return value
  }
  try {
    const value = sum()
    return pos === tokens.length && Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}
