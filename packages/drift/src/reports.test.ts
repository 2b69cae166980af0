import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { beforeAll, describe, expect, it } from 'vitest'
import { agentFlow } from './agent-flow.fixture.js'
import { analyzeCalls } from './analyze-calls.js'
import { runCanonicalCases } from './canonical-cases.js'
import type { DriftReport } from './drift-report.js'
import { escapeHtml } from './html-escape.js'
import { renderHtmlReport } from './html-report.js'
import { syntheticCalls } from './synthetic-calls.js'
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
    expect(text).toContain('breaks at token 165 (sampled token 15 of call 0): tool_call_reserialized')
    expect(text).toMatch(/reasoning_stripped/)
    expect(text).toMatch(/Verdict on your data\n {2}Your data drifts: re-tokenizing its text would train on token ids/)
    // the built-in cases are labelled as such and never part of the verdict
    expect(text).toContain('Built-in examples (not your data): sampled ids → decode → re-encode')
    expect(text).toContain('  Built-in examples (not your data): 9 of 9 known cases re-encode to other ids.')
    // byte-level pieces are explained once
    expect(text.split('Pieces are byte-level BPE').length).toBe(2)
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
    expect(text).toContain('of rollout r\\x1b[2J\\x1b]0;owned\\x07:')
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
  it('is one self-contained page: inline style, SVG charts and script, no external assets', () => {
    const html = renderHtmlReport(report)
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<link|<script [^>]*src=|<img|url\(|@import/)
    expect(html).toContain('<script type="application/json" id="drift-data">')
    expect(html).toContain('data-chart="causes"')
    expect(html).toContain('data-chart="positions"')
    // the canonical cases are drawn statically, in their own labelled section
    expect(html).toMatch(/class="tok gen drift" data-id="39" title="id 39 · &#34;H&#34; · sampled \(mask 1\)"/)
    expect(html).toContain('class="tok reenc drift" data-id="72239"')
    expect(html).toContain('Built-in examples (not from your data)')
    expect(html).toMatch(/this page: [\d.]+ kB · 4 trajectories, 4 calls/)
  })

  it('prints its own size exactly', () => {
    const html = renderHtmlReport(report)
    const shown = /this page: ([\d.]+) kB/.exec(html)?.[1]
    expect(Number(shown)).toBe(Number((Buffer.byteLength(html) / 1000).toFixed(1)))
  })

  it('escapes everything that came from data, also inside the embedded JSON', async () => {
    const calls = agentFlow(tokenizer).map((c) => ({ ...c, rolloutId: '</script><img src=x onerror=alert(1)>' }))
    const hostile = renderHtmlReport({
      tokenizer: tokenizer.name,
      analysis: await analyzeCalls(calls, tokenizer),
      notes: ['rollout: fixture <script>'],
    })
    expect(hostile).toContain('rollout: fixture &#60;script&#62;')
    expect(hostile).not.toContain('</script><img')
    expect(hostile.match(/<\/script>/g)).toHaveLength(2)
    expect(renderHtmlReport(report)).toContain('&#60;|im_end|&#62;')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
  })

  it('bases the verdict on the data, not on the built-in cases', async () => {
    const clean = syntheticCalls(tokenizer, { rollouts: 1, turnsPerRollout: 2, tokensPerResponse: 30, splitRate: 0 })
    const html = renderHtmlReport({ ...report, analysis: await analyzeCalls(clean, tokenizer) })
    expect(html).toMatch(/<header class="verdict good" data-basis="data">/)
    expect(html).toContain('No drift in your data')
    expect(html).toContain('Built-in examples (not your data): 9 of 9 known cases re-encode to other ids.')
  })
})
