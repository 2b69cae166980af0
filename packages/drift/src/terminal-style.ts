/** ANSI styling that collapses to plain text when colour is off. */
export interface Style {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  inverse(s: string): string
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`

const plain = (s: string): string => s

export function makeStyle(color: boolean): Style {
  if (!color) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, inverse: plain }
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    inverse: wrap(7, 27),
  }
}

/** Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org). */
export function shouldUseColor(
  stream: { isTTY?: boolean } = process.stdout,
  env: Record<string, string | undefined> = process.env
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '')
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g

/** Text without ANSI escapes. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '')
}

/** Visible width: ANSI escapes do not count, wide (CJK, emoji) characters count twice. */
export function visibleWidth(s: string): number {
  let width = 0
  for (const ch of s.replace(ANSI, '')) {
    const code = ch.codePointAt(0) as number
    width += isWide(code) ? 2 : 1
  }
  return width
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
}

/** Columns padded to the widest cell; `right` columns are right-aligned (numbers). */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { right?: readonly number[]; style?: Style; indent?: string } = {}
): string {
  const style = options.style ?? makeStyle(false)
  const right = new Set(options.right ?? [])
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))))
  const cell = (text: string, i: number): string => {
    const pad = ' '.repeat((widths[i] as number) - visibleWidth(text))
    return right.has(i) ? pad + text : text + pad
  }
  const indent = options.indent ?? '  '
  const line = (cells: readonly string[]): string => `${indent}${cells.map(cell).join('  ')}`.trimEnd()
  const rule = `${indent}${widths.map((w) => '─'.repeat(w)).join('  ')}`
  return [style.bold(line(headers)), style.dim(rule), ...rows.map(line)].join('\n')
}
