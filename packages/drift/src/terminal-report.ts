import type { CallDrift } from './analyze-calls.js'
import { breakPlace, renderCallTable } from './call-table.js'
import type { CanonicalCaseResult } from './canonical-cases.js'
import { displayPiece, displayText, escapeControls } from './display.js'
import type { DriftReport } from './drift-report.js'
import type { DriftSummary } from './drift-summary.js'
import type { IdWindow } from './rerender-divergence.js'
import type { TokenSide } from './retokenization-drift.js'
import { summaryRows } from './summary-rows.js'
import { makeStyle, renderTable, type Style } from './terminal-style.js'
import { driftVerdict } from './verdict.js'

export interface TerminalReportOptions {
  /** ANSI colour. Default false (pure text); pass `shouldUseColor()` when printing to stdout. */
  color?: boolean
}

/** How token pieces are written, said once before the first piece is shown. */
const PIECES_NOTE =
  'Tokens are shown as "id piece". Pieces are byte-level BPE: ␣ is a leading space (Ġ in the vocabulary), ↵ a newline (Ċ), ⇥ a tab; symbols like ðŁĺ are raw bytes of a character split across tokens.'

/** The report as aligned plain text (ANSI colour optional). Pure: same input, same string. */
export function renderTerminalReport(report: DriftReport, options: TerminalReportOptions = {}): string {
  const s = makeStyle(options.color ?? false)
  const verdict = driftVerdict(report.analysis?.summary, report.cases)
  const out: string[] = []
  out.push(s.bold(`${report.title ?? 'Retokenization drift'} · tokenizer ${escapeControls(report.tokenizer)}`))
  for (const note of report.notes ?? []) out.push(s.dim(note))
  out.push(s.dim(PIECES_NOTE))
  if (report.cases && report.cases.length > 0) out.push('', ...casesSection(report.cases, s))
  if (report.analysis) {
    out.push('', ...callsSection(report.analysis.calls, s))
    const details = detailSection(report.analysis.calls, s)
    if (details.length > 0) out.push('', ...details)
    out.push('', ...summarySection(report.analysis.summary, s))
  }
  out.push(
    '',
    s.bold(verdict.basis === 'data' || verdict.basis === 'nothing' ? 'Verdict on your data' : 'Verdict'),
    `  ${verdict.basis === 'nothing' ? s.yellow(verdict.headline) : verdict.drift ? s.red(verdict.headline) : s.green(verdict.headline)}`
  )
  for (const line of verdict.details) out.push(`  ${line}`)
  if (verdict.demoNote) out.push(s.dim(`  ${verdict.demoNote}`))
  return `${out.join('\n')}\n`
}

function casesSection(cases: readonly CanonicalCaseResult[], s: Style): string[] {
  const out = [
    s.bold('Built-in examples (not your data): sampled ids → decode → re-encode'),
    s.dim('  Hand-made Qwen3 sequences a model can sample that do not survive a text round trip.'),
  ]
  for (const c of cases) {
    const r = c.result
    const flags = [!r.textStable && s.yellow('text changes'), r.replacementChar && s.yellow('U+FFFD')].filter(Boolean)
    out.push(
      `  ${s.bold(c.case.title)} ${s.dim(`— ${c.case.note}`)}${flags.length > 0 ? ` [${flags.join(', ')}]` : ''}`
    )
    out.push(`      sampled     ${tokens(r.original, r.driftedIndices.original, s)}`)
    out.push(
      `      re-encoded  ${r.drifted ? tokens(r.reencoded, r.driftedIndices.reencoded, s) : s.green('unchanged')}`
    )
  }
  return out
}

function callsSection(calls: readonly CallDrift[], s: Style): string[] {
  const rollouts = [...new Set(calls.map((c) => c.rolloutId).filter((r) => r !== undefined))]
  const of = rollouts.length === 1 ? ` of rollout ${escapeControls(rollouts[0] as string)}` : ''
  return [
    s.bold(`Per call${of}: lengths in tokens; BPE drift of each response alone; does the next prompt extend it?`),
    renderCallTable(calls, s),
  ]
}

function detailSection(calls: readonly CallDrift[], s: Style): string[] {
  const out: string[] = []
  for (const call of calls) {
    const bpe = call.bpe
    if (bpe?.drifted) {
      const first = bpe.firstDivergence ?? 0
      out.push(s.bold(`call ${call.callIndex} · BPE drift from sampled token ${first}`))
      out.push(`    sampled     ${spanAround(bpe.original, bpe.driftedIndices.original, s)}`)
      out.push(`    re-encoded  ${spanAround(bpe.reencoded, bpe.driftedIndices.reencoded, s)}`)
      out.push(`    text        ${JSON.stringify(displayText(bpe.window.original))}`)
      if (call.strippedEos !== null)
        out.push(s.dim(`    (end token ${call.strippedEos} kept as an id, left out of the re-encode check)`))
    }
    const r = call.rerender
    if (r) {
      out.push(
        s.bold(
          `call ${call.callIndex} · prompt stops extending call ${r.previousCallIndex} at token ${r.index} (${breakPlace(r.generatedOffset, r.previousCallIndex)}): ${r.cause}`
        )
      )
      out.push(`    model saw   ${windowLine(r.held, r.index, s)}`)
      out.push(`    re-rendered ${windowLine(r.rendered, r.index, s)}`)
      if (r.sampledLost > 0)
        out.push(s.dim(`    ${r.sampledLost} sampled tokens of call ${r.previousCallIndex} are not in this prompt`))
    }
  }
  return out
}

/** Tokens around the changed positions, changed ones highlighted. */
function spanAround(side: TokenSide, changed: readonly number[], s: Style): string {
  const first = changed[0] ?? 0
  const last = changed[changed.length - 1] ?? first
  const from = Math.max(0, first - 3)
  const to = Math.min(side.ids.length, Math.min(last, first + 12) + 4)
  const set = new Set(changed)
  const cells: string[] = []
  for (let i = from; i < to; i++) {
    const cell = `${side.ids[i]} ${displayPiece(side.pieces[i] ?? '')}`
    cells.push(set.has(i) ? s.inverse(s.red(cell)) : s.dim(cell))
  }
  return `${from > 0 ? '… ' : ''}${cells.join(' │ ')}${to < side.ids.length ? ' …' : ''}`
}

function windowLine(w: IdWindow, index: number, s: Style): string {
  const cells = w.ids.map((id, i) => {
    const cell = `${id} ${displayPiece(w.pieces[i] ?? '')}`
    return w.start + i >= index ? s.red(cell) : s.dim(cell)
  })
  return `… ${cells.join(' │ ')} …`
}

function tokens(side: TokenSide, changed: readonly number[], s: Style): string {
  const set = new Set(changed)
  const shown = side.ids.slice(0, 16).map((id, i) => {
    const cell = `${id} ${displayPiece(side.pieces[i] ?? '')}`
    return set.has(i) ? s.red(cell) : cell
  })
  const more = side.ids.length > 16 ? s.dim(` … +${side.ids.length - 16}`) : ''
  return shown.join(s.dim(' │ ')) + more
}

function summarySection(summary: DriftSummary, s: Style): string[] {
  const rows = summaryRows(summary, 'report')
  return [s.bold('Summary'), renderTable(['', 'count', 'rate'], rows, { style: s, right: [1, 2] })]
}
