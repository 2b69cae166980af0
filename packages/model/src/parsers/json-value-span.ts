/**
 * Where the value of top-level `key` sits in `json`, the text of a JSON object that `JSON.parse` accepted
 * (so the scan can trust its structure). The last occurrence wins, as in `JSON.parse`. Used to hand on the
 * arguments exactly as the model wrote them instead of a re-serialization.
 */
export function topLevelValueSpan(json: string, key: string): [start: number, end: number] | undefined {
  let i = skipWs(json, 0)
  if (json.charCodeAt(i) !== 123 /* { */) return undefined
  i = skipWs(json, i + 1)
  let span: [number, number] | undefined
  while (i < json.length && json.charCodeAt(i) === 34 /* " */) {
    const keyEnd = skipString(json, i)
    const raw = json.slice(i, keyEnd)
    const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)
    i = skipWs(json, skipWs(json, keyEnd) + 1) // past ':'
    const valueEnd = skipValue(json, i)
    if (name === key) span = [i, valueEnd]
    i = skipWs(json, valueEnd)
    if (json.charCodeAt(i) !== 44 /* , */) break
    i = skipWs(json, i + 1)
  }
  return span
}

function skipWs(s: string, from: number): number {
  let i = from
  for (;;) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i
    i++
  }
}

/** `from` is at an opening quote; returns the index after the closing one. */
function skipString(s: string, from: number): number {
  let i = from + 1
  for (;;) {
    const c = s.charCodeAt(i)
    if (c === 92 /* \ */) i += 2
    else if (c === 34 || Number.isNaN(c)) return i + 1
    else i++
  }
}

function skipValue(s: string, from: number): number {
  const first = s.charCodeAt(from)
  if (first === 34) return skipString(s, from)
  if (first === 123 || first === 91 /* [ */) {
    let depth = 0
    let i = from
    while (i < s.length) {
      const c = s.charCodeAt(i)
      if (c === 34) {
        i = skipString(s, i)
        continue
      }
      if (c === 123 || c === 91) depth++
      else if (c === 125 || c === 93) {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return i
  }
  let i = from
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c === 44 || c === 125 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9) break
    i++
  }
  return i
}
