import type { CallDrift, DriftSummary } from './analyze-calls.js'
import type { CanonicalCaseResult } from './canonical-cases.js'
import { displayPiece } from './display.js'
import type { DriftReport } from './drift-report.js'
import type { IdWindow } from './rerender-divergence.js'
import type { TokenSide } from './retokenization-drift.js'
import { driftVerdict } from './verdict.js'

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

type Segment = 'ctx' | 'gen' | 'reenc'

interface Chip {
  id: number
  piece: string
  segment: Segment
  marks?: readonly ('drift' | 'diverge' | 'eos')[]
}

function chip(c: Chip): string {
  const classes = ['tok', c.segment, ...(c.marks ?? [])].join(' ')
  const role = c.segment === 'gen' ? 'sampled (mask 1)' : c.segment === 'ctx' ? 'context (mask 0)' : 're-encoded'
  const mask = c.segment === 'reenc' ? '' : ` data-mask="${c.segment === 'gen' ? 1 : 0}"`
  const title = `id ${c.id} · ${JSON.stringify(c.piece)} · ${role}`
  return `<span class="${classes}" data-id="${c.id}"${mask} title="${escapeHtml(title)}">${escapeHtml(displayPiece(c.piece) || '∅')}</span>`
}

function strip(chips: readonly Chip[]): string {
  return `<div class="strip">${chips.map(chip).join('')}</div>`
}

function sideChips(side: TokenSide, segment: Segment, changed: readonly number[]): Chip[] {
  const set = new Set(changed)
  return side.ids.map((id, i) => ({ id, piece: side.pieces[i] ?? '', segment, marks: set.has(i) ? ['drift'] : [] }))
}

/**
 * One self-contained HTML page (inline CSS, no scripts, no external assets): tokens as chips coloured
 * by segment (context = loss mask 0, sampled = mask 1), BPE drift positions with class `drift`,
 * re-render breaks with class `diverge`, id and piece in each chip's `title`.
 */
export function renderHtmlReport(report: DriftReport): string {
  const verdict = driftVerdict(report.analysis?.summary, report.cases)
  const title = report.title ?? 'Retokenization drift'
  const body: string[] = []
  body.push(`<header class="verdict ${verdict.drift ? 'bad' : 'good'}">`)
  body.push(`<h1>${escapeHtml(title)}</h1>`)
  body.push(`<p class="meta">tokenizer <code>${escapeHtml(report.tokenizer)}</code></p>`)
  for (const note of report.notes ?? []) body.push(`<p class="meta">${escapeHtml(note)}</p>`)
  body.push(`<p class="headline">${escapeHtml(verdict.headline)}</p>`)
  body.push(`<ul>${verdict.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`)
  body.push('</header>')
  body.push(legend())
  if (report.cases && report.cases.length > 0) body.push(casesSection(report.cases))
  if (report.analysis) {
    body.push(callsSection(report.analysis.calls))
    body.push(summarySection(report.analysis.summary))
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`
}

function legend(): string {
  const sample: Chip[] = [
    { id: 151644, piece: '<|im_start|>', segment: 'ctx' },
    { id: 9707, piece: 'Hello', segment: 'gen' },
  ]
  return `<section class="legend"><span>${chip(sample[0] as Chip)} context (mask 0)</span><span>${chip(sample[1] as Chip)} sampled (mask 1)</span><span><span class="tok gen drift-demo">x</span> changes if re-tokenized</span><span><span class="tok ctx diverge-demo">x</span> next prompt differs from here</span><span class="hint">hover a token for its id</span></section>`
}

function casesSection(cases: readonly CanonicalCaseResult[]): string {
  const rows = cases.map((c) => {
    const r = c.result
    const original = strip(sideChips(r.original, 'gen', r.driftedIndices.original))
    const reencoded = r.drifted
      ? strip(sideChips(r.reencoded, 'reenc', r.driftedIndices.reencoded))
      : '<span class="ok">unchanged</span>'
    return `<tr data-case="${escapeHtml(c.case.id)}"><td>${escapeHtml(c.case.title)}</td><td>${original}</td><td class="arrow">→</td><td>${reencoded}</td><td>${r.textStable ? 'same' : '<span class="warn">changed</span>'}</td><td class="note">${escapeHtml(c.case.note)}</td></tr>`
  })
  return `<section><h2>Known cases: sampled ids → decode → re-encode</h2><table class="cases"><thead><tr><th>case</th><th>sampled</th><th></th><th>re-encoded</th><th>text</th><th>why it matters</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
}

function callsSection(calls: readonly CallDrift[]): string {
  const parts = calls.map((call) => {
    const head = `call ${call.rolloutId === undefined ? '' : `${escapeHtml(call.rolloutId)}#`}${call.callIndex} · finish ${escapeHtml(call.finishReason ?? '—')}`
    const lines: string[] = [`<h3>${head}</h3>`]
    const bpe = call.bpe
    if (bpe) {
      const chips: Chip[] = [
        ...(call.promptTail?.ids.map((id, i) => ({
          id,
          piece: call.promptTail?.pieces[i] ?? '',
          segment: 'ctx' as const,
        })) ?? []),
        ...sideChips(bpe.original, 'gen', bpe.driftedIndices.original),
      ]
      if (call.strippedEos !== null) chips.push({ id: call.strippedEos, piece: 'EOS', segment: 'gen', marks: ['eos'] })
      const status = bpe.drifted
        ? `<span class="bad-text">BPE drift from sampled token ${bpe.firstDivergence}: ${bpe.driftedIndices.original.length} token(s) change</span>`
        : '<span class="ok">sampled ids survive decode → re-encode</span>'
      lines.push(
        `<p>${status}${call.promptTail ? ' <span class="hint">(prompt tail shown as context)</span>' : ''}</p>`,
        strip(chips)
      )
      if (bpe.drifted) {
        lines.push(
          '<p class="label">re-encoded</p>',
          strip(sideChips(bpe.reencoded, 'reenc', bpe.driftedIndices.reencoded))
        )
      }
    } else lines.push('<p class="hint">no sampled ids recorded</p>')
    const r = call.rerender
    if (r) {
      const where =
        r.generatedOffset >= 0
          ? `sampled token ${r.generatedOffset} of call ${r.previousCallIndex}`
          : 'the earlier prompt'
      lines.push(
        `<p><span class="bad-text">prompt stops extending call ${r.previousCallIndex} at ${r.index}</span> (${escapeHtml(where)}) — cause <code class="cause">${escapeHtml(r.cause)}</code>${r.sampledLost > 0 ? `; ${r.sampledLost} sampled tokens not reproduced` : ''}</p>`,
        '<p class="label">model saw / produced</p>',
        strip(windowChips(r.held, r.index, r.index - r.generatedOffset)),
        '<p class="label">re-rendered next prompt</p>',
        strip(windowChips(r.rendered, r.index, Number.POSITIVE_INFINITY))
      )
    } else if (call.extendsPrevious) lines.push('<p class="ok">prompt extends the previous call (prefix preserved)</p>')
    return `<article class="call">${lines.join('')}</article>`
  })
  return `<section><h2>Per call</h2>${parts.join('')}</section>`
}

/** Chips of a divergence window; `sampledFrom` is where the previous call's sampled ids start. */
function windowChips(w: IdWindow, index: number, sampledFrom: number): Chip[] {
  return w.ids.map((id, i) => {
    const at = w.start + i
    return {
      id,
      piece: w.pieces[i] ?? '',
      segment: at >= sampledFrom ? 'gen' : 'ctx',
      marks: at >= index ? ['diverge'] : [],
    }
  })
}

function summarySection(summary: DriftSummary): string {
  const pct = (n: number, d: number): string => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`)
  const rows: [string, number, string][] = [
    ['calls analysed', summary.calls, ''],
    ['responses with BPE drift', summary.responsesWithDrift, pct(summary.responsesWithDrift, summary.responses)],
    [
      '… without special tokens',
      summary.responsesWithDriftWithoutSpecial,
      pct(summary.responsesWithDriftWithoutSpecial, summary.responses),
    ],
    ['sampled tokens changed', summary.driftedTokens, pct(summary.driftedTokens, summary.tokensScanned)],
    [
      'prompts not extending the previous turn',
      summary.rerender.diverged,
      pct(summary.rerender.diverged, summary.rerender.checked),
    ],
    ...Object.entries(summary.rerender.byCause).map(([cause, n]): [string, number, string] => [
      `… ${cause}`,
      n,
      pct(n, summary.rerender.checked),
    ]),
  ]
  const body = rows.map(
    ([k, n, p]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${n}</td><td class="num">${p}</td></tr>`
  )
  return `<section><h2>Summary</h2><table class="summary"><tbody>${body.join('')}</tbody></table></section>`
}

const CSS = `
:root{--ctx:#e8ecf3;--ctx-b:#c5cedd;--gen:#d9f2e3;--gen-b:#8fd1a8;--reenc:#efe5fb;--reenc-b:#c6a8ef;--drift:#ffd6d6;--drift-b:#d93a3a;--div:#fff1c7;--div-b:#d99b00}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1180px;padding:24px;color:#1d2330;background:#fafbfd}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:14px;margin:0 0 6px;font-family:ui-monospace,Menlo,Consolas,monospace}
.verdict{border-radius:10px;padding:16px 20px;border:1px solid}.verdict.bad{background:#fff3f3;border-color:#f0b4b4}.verdict.good{background:#f1fbf4;border-color:#a9dcb9}
.headline{font-size:16px;font-weight:600;margin:8px 0}.meta{color:#5b6475;margin:2px 0}.verdict ul{margin:6px 0 0;padding-left:20px}
.legend{display:flex;flex-wrap:wrap;gap:18px;margin:14px 0;color:#5b6475;align-items:center}
.strip{display:flex;flex-wrap:wrap;gap:3px;margin:4px 0 8px}
.tok{display:inline-block;font:12px/1.3 ui-monospace,Menlo,Consolas,monospace;padding:2px 5px;border-radius:4px;border:1px solid;white-space:pre;cursor:default}
.tok.ctx{background:var(--ctx);border-color:var(--ctx-b);color:#49536a}.tok.gen{background:var(--gen);border-color:var(--gen-b)}.tok.reenc{background:var(--reenc);border-color:var(--reenc-b)}
.tok.drift,.tok.drift-demo{background:var(--drift);border:2px solid var(--drift-b);font-weight:700}
.tok.diverge,.tok.diverge-demo{border:2px dashed var(--div-b);box-shadow:0 0 0 1px var(--div)}.tok.eos{opacity:.6;font-style:italic}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e3e7ee}th{font-size:12px;color:#5b6475;font-weight:600}
.arrow{color:#8a93a6;font-size:18px}.note{color:#5b6475;font-size:13px}.num{text-align:right;font-variant-numeric:tabular-nums}
.summary{width:auto;min-width:420px}.call{background:#fff;border:1px solid #e3e7ee;border-radius:8px;padding:12px 14px;margin:10px 0}
.label{margin:6px 0 0;font-size:12px;color:#5b6475}.ok{color:#1f7a45}.warn{color:#a66300;font-weight:600}.bad-text{color:#b42323;font-weight:600}.hint{color:#8a93a6;font-size:12px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#eef1f6;padding:1px 4px;border-radius:3px}.cause{background:#fff1c7}
`
