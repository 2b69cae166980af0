import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { beforeAll, describe, expect, it } from 'vitest'
import { agentFlow } from './agent-flow.fixture.js'
import { analyzeCalls } from './analyze-calls.js'
import { runCanonicalCases } from './canonical-cases.js'
import type { DriftReport } from './drift-report.js'
import { escapeHtml, renderHtmlReport } from './html-report.js'
import { renderTerminalReport } from './terminal-report.js'
import { shouldUseColor, stripAnsi, visibleWidth } from './terminal-style.js'

const tokenizer = loadQwen3Tokenizer()
let report: DriftReport

beforeAll(async () => {
  report = {
    tokenizer: tokenizer.name,
    cases: await runCanonicalCases(tokenizer),
    analysis: await analyzeCalls(agentFlow(tokenizer), tokenizer),
    notes: ['rollout: fixture <script>'],
  }
})

describe('renderTerminalReport', () => {
  it('is plain text by default, with ids shown one by one and a verdict', () => {
    const text = renderTerminalReport(report)
    expect(text).not.toContain('\u001b[')
    expect(text).toContain('39 H │ 83722 AVING')
    expect(text).toContain('72239 HAV │ 1718 ING')
    expect(text).toContain('breaks at 165 (sampled token 15 of call 0): tool_call_reserialized')
    expect(text).toMatch(/reasoning_stripped/)
    expect(text).toMatch(/Verdict\n {2}Re-tokenizing text would train on token ids the model never sampled/)
  })

  it('escapes control characters that came from the JSONL (no ANSI injection)', async () => {
    const calls = agentFlow(tokenizer).map((c) => ({
      ...c,
      rolloutId: 'r\u001b[2J\u001b]0;owned\u0007',
      finishReason: c.callIndex === 0 ? 'stop\u001b[31m\r\u009b' : (c.finishReason ?? null),
    }))
    const hostile: DriftReport = { tokenizer: 'tok\u001b[1m', analysis: await analyzeCalls(calls, tokenizer) }
    const text = renderTerminalReport(hostile)
    const isControl = (ch: string) => {
      const code = ch.codePointAt(0) as number
      return ch !== '\n' && (code < 0x20 || (code >= 0x7f && code <= 0x9f))
    }
    expect([...text].filter(isControl)).toEqual([])
    expect(text).toContain('r\\x1b[2J\\x1b]0;owned\\x07#0')
    expect(text).toContain('stop\\x1b[31m\\x0d\\x9b')
    expect(text).toContain('tokenizer tok\\x1b[1m')
    // with colour on, the only escapes are the report's own styling
    const colored = renderTerminalReport(hostile, { color: true })
    expect(stripAnsi(colored)).toBe(text)
    expect(stripAnsi(colored)).not.toContain('\u001b')
  })

  it('aligns table columns', () => {
    const lines = renderTerminalReport(report).split('\n')
    const header = lines.findIndex((l) => l.includes('BPE re-encode'))
    const column = (l: string): number =>
      visibleWidth(l.slice(0, l.indexOf(l.includes('BPE') ? 'BPE' : (l.match(/stable|drifts/)?.[0] ?? ''))))
    const rows = lines.slice(header + 2, header + 6)
    expect(rows.every((r) => column(r) === column(lines[header] as string))).toBe(true)
  })

  it('adds ANSI colour only when asked, and is deterministic', () => {
    const coloured = renderTerminalReport(report, { color: true })
    expect(coloured).toContain('\u001b[31m')
    expect(stripAnsi(coloured)).toBe(renderTerminalReport(report))
    expect(renderTerminalReport(report)).toBe(renderTerminalReport(report))
  })

  it('decides colour from the TTY and NO_COLOR', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true)
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false)
    expect(shouldUseColor({}, {})).toBe(false)
  })
})

describe('renderHtmlReport', () => {
  it('is one self-contained page with drift chips carrying ids', () => {
    const html = renderHtmlReport(report)
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|src=|url\(/)
    expect(html).toMatch(/class="tok gen drift" data-id="39" data-mask="1" title="id 39 · &#34;H&#34;/)
    expect(html).toContain('class="tok reenc drift" data-id="72239"')
    expect(html).toContain('class="tok ctx diverge"')
    expect(html).toContain('<code class="cause">tool_call_reserialized</code>')
  })

  it('escapes everything that came from data', () => {
    const html = renderHtmlReport(report)
    expect(html).toContain('rollout: fixture &#60;script&#62;')
    expect(html).toContain('&#60;|im_end|&#62;')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
  })
})
