import type { DriftAnalysis } from './analyze-calls.js'
import type { CanonicalCaseResult } from './canonical-cases.js'
import { displayPiece } from './display.js'
import type { DriftReport } from './drift-report.js'
import type { DriftSummary } from './drift-summary.js'
import { escapeHtml, jsonForScript } from './html-escape.js'
import { causesChart, positionChart } from './html-report-charts.js'
import { REPORT_SCRIPT } from './html-report-client.js'
import { buildPayload } from './html-report-payload.js'
import { REPORT_CSS } from './html-report-style.js'
import type { TokenSide } from './retokenization-drift.js'
import { summaryRows } from './summary-rows.js'
import { driftVerdict } from './verdict.js'

/** Reports with at most this many calls open every section; larger ones start collapsed. */
const SMALL_REPORT_CALLS = 50
const SIZE_MARK = '\u0000page-size\u0000'

/**
 * One self-contained HTML page (inline CSS, SVG and script; no external assets): the verdict on the data,
 * charts of divergence causes and drift positions, each trajectory's loss mask as token chips (context,
 * sampled, drifted, rewritten), per-call numbers, and the built-in examples in their own labelled section.
 * The analysis is embedded once as compact JSON and chips are drawn when a section opens, so the page stays
 * small at thousands of calls; its own size is printed in the header.
 */
export function renderHtmlReport(report: DriftReport): string {
  const analysis = report.analysis
  const verdict = driftVerdict(analysis?.summary, report.cases)
  const title = report.title ?? 'Retokenization drift'
  const small = (analysis?.calls.length ?? 0) <= SMALL_REPORT_CALLS
  const body: string[] = []
  const tone = verdict.basis === 'nothing' ? 'none' : verdict.drift ? 'bad' : 'good'
  body.push(`<header class="verdict ${tone}" data-basis="${verdict.basis}">`)
  body.push(`<h1>${escapeHtml(title)}</h1>`)
  body.push(`<p class="meta">tokenizer <code>${escapeHtml(report.tokenizer)}</code></p>`)
  for (const note of report.notes ?? []) body.push(`<p class="meta">${escapeHtml(note)}</p>`)
  body.push(
    `<p class="meta" id="page-size">this page: ${SIZE_MARK}${analysis ? ` · ${count(analysis.trajectories.length, 'trajectory', 'trajectories')}, ${count(analysis.calls.length, 'call', 'calls')}; token chips are drawn when a section opens` : ''}</p>`
  )
  body.push(`<p class="headline">${escapeHtml(verdict.headline)}</p>`)
  body.push(`<ul>${verdict.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`)
  if (verdict.demoNote) body.push(`<p class="demo-note">${escapeHtml(verdict.demoNote)}</p>`)
  body.push('</header>')
  body.push(legend())
  if (analysis) {
    body.push(overview(analysis))
    body.push(trajectoriesSection(analysis))
    body.push(
      `<details class="section" id="calls-section"${small ? ' open' : ''}><summary>Calls (${analysis.calls.length.toLocaleString('en-US')}): prompt, sampled, status, finish, logprobs, drift</summary><div id="calls"></div></details>`
    )
  }
  if (report.cases && report.cases.length > 0) body.push(casesSection(report.cases, small || !analysis))
  if (analysis) {
    body.push(
      '<noscript><p class="bad-text">Trajectories and calls are drawn by the page script; enable JavaScript for this file.</p></noscript>'
    )
    body.push(`<script type="application/json" id="drift-data">${jsonForScript(buildPayload(analysis))}</script>`)
    body.push(`<script>${REPORT_SCRIPT}</script>`)
  }
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`
  return withOwnSize(page)
}

/** Print the page's size in itself: settle the number by substituting until the length stops changing. */
function withOwnSize(page: string): string {
  let text = formatBytes(Buffer.byteLength(page))
  for (let i = 0; i < 3; i++) {
    const next = formatBytes(Buffer.byteLength(page.replace(SIZE_MARK, text)))
    if (next === text) break
    text = next
  }
  return page.replace(SIZE_MARK, text)
}

/** `845 B`, `12.3 kB`, `1.42 MB` (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1_000_000).toFixed(2)} MB`
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

type ChipClass = 'ctx' | 'gen' | 'reenc'

function chip(id: number, piece: string, cls: string, role: string): string {
  const title = `id ${id} · ${JSON.stringify(piece)} · ${role}`
  return `<span class="tok ${cls}" data-id="${id}" title="${escapeHtml(title)}">${escapeHtml(displayPiece(piece) || '∅')}</span>`
}

function legend(): string {
  const item = (chipHtml: string, text: string): string => `<span>${chipHtml} ${escapeHtml(text)}</span>`
  const sample = (cls: string, text: string, role: string): string =>
    `<span class="tok ${cls}" data-legend="${cls}" title="${escapeHtml(role)}">${escapeHtml(text)}</span>`
  return `<section class="legend" aria-label="legend">${[
    item(sample('ctx', '<|im_start|>', 'context (mask 0)'), 'context: the prompt, loss mask 0'),
    item(sample('gen', 'Hello', 'sampled (mask 1)'), 'sampled by the policy: loss mask 1'),
    item(sample('gen drift', 'AVING', 'sampled, changes if re-tokenized'), 'drifted: decode → re-encode changes it'),
    item(
      sample('gen rw', '":"', 'sampled, rewritten by the next prompt'),
      'rewritten: the next prompt renders it differently'
    ),
    item(
      sample('ctx rw', '<think>', 'context, rewritten by the next prompt'),
      'rewritten context (e.g. dropped reasoning)'
    ),
    item(sample('reenc', 'HAV', 're-encoded'), 're-encoded from the decoded text'),
    item(
      sample('reenc drift', 'ING', 're-encoded, differs from what was sampled'),
      're-encoded, differs from the sample'
    ),
    item(sample('gen drift rw', '":"', 'drifted and rewritten'), 'drifted and rewritten by the next prompt'),
    item(sample('ctx diverge', '␣"', 'the next prompt differs from here'), 'from here the next prompt differs'),
    item(sample('gen diverge', '1', 'sampled; the next prompt differs from here'), '… within the sampled tokens'),
    item(sample('gen eos', '<|im_end|>', 'end token, kept as an id'), 'end token: kept, not re-encoded'),
    item(sample('fold', '⋯ 120 context tokens', 'folded context, click to show'), 'folded context: click to unfold'),
  ].join('')}<p>Hover a token for its id. Token pieces are shown as the byte-level vocabulary stores them, made
readable: a leading space (<code>Ġ</code>) is shown as <code>␣</code>, a newline (<code>Ċ</code>) as <code>↵</code>, a tab
as <code>⇥</code>; bytes of a character split across tokens keep their byte symbols (<code>ðŁĺ</code> is the first three
bytes of an emoji).</p></section>`
}

function overview(analysis: DriftAnalysis): string {
  return `<section class="overview"><div><h2>Summary</h2>${summaryTable(analysis.summary)}</div><div class="charts">${causesChart(analysis.summary)}${positionChart(analysis.calls)}</div></section>`
}

function summaryTable(summary: DriftSummary): string {
  const body = summaryRows(summary, 'report').map(
    ([label, n, rate]) =>
      `<tr><td>${escapeHtml((label ?? '').replace(/^ {2}/, '\u2003'))}</td><td class="num">${escapeHtml(n ?? '')}</td><td class="num">${escapeHtml(rate ?? '')}</td></tr>`
  )
  return `<table class="summary"><thead><tr><th></th><th class="num">count</th><th class="num">rate</th></tr></thead><tbody>${body.join('')}</tbody></table>`
}

function trajectoriesSection(analysis: DriftAnalysis): string {
  const n = analysis.trajectories.length
  return `<section id="trajectories-section"><h2>Trajectories (${n.toLocaleString('en-US')}): what a trainer gets, token by token</h2>
<p class="hint">Each trajectory is one training sequence from @strands-vllm/tito's builder: the first prompt, then each call's new prompt tokens (context) and sampled tokens. A split means the next prompt stopped extending it. Open one to see its calls and loss mask.</p>
<div class="controls"><label>show <select id="trajectory-filter"><option value="all">all trajectories</option><option value="problem">only with drift, rewrites or a split</option></select></label><span id="trajectory-count"></span></div>
<div id="trajectories"></div></section>`
}

function casesSection(cases: readonly CanonicalCaseResult[], open: boolean): string {
  const strip = (side: TokenSide, cls: ChipClass, changed: readonly number[], role: string): string => {
    const set = new Set(changed)
    return `<div class="strip">${side.ids
      .map((id, i) => chip(id, side.pieces[i] ?? '', set.has(i) ? `${cls} drift` : cls, role))
      .join('')}</div>`
  }
  const rows = cases.map((c) => {
    const r = c.result
    const original = strip(r.original, 'gen', r.driftedIndices.original, 'sampled (mask 1)')
    const reencoded = r.drifted
      ? strip(r.reencoded, 'reenc', r.driftedIndices.reencoded, 're-encoded')
      : '<span class="ok">unchanged</span>'
    return `<tr data-case="${escapeHtml(c.case.id)}"><td>${escapeHtml(c.case.title)}</td><td>${original}</td><td class="arrow">→</td><td>${reencoded}</td><td>${r.textStable ? 'same' : '<span class="warn">changed</span>'}</td><td class="note">${escapeHtml(c.case.note)}</td></tr>`
  })
  return `<details class="section" id="demo-cases"${open ? ' open' : ''}><summary>Built-in examples (not from your data): sampled ids → decode → re-encode</summary>
<p class="hint">Hand-made Qwen3 token sequences that a model can sample and that do not survive a text round trip. They explain the kinds of drift; the verdict above never counts them.</p>
<table class="cases"><thead><tr><th>case</th><th>sampled</th><th></th><th>re-encoded</th><th>text</th><th>why it matters</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`
}
