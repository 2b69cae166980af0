import type { CallDrift } from './analyze-calls.js'
import type { DriftSummary } from './drift-summary.js'
import { escapeHtml } from './html-escape.js'

const COLORS = {
  extends: '#3fa66b',
  cause: '#d99b00',
  bpe: '#d93a3a',
  text: '#1d2330',
  mute: '#5b6475',
  grid: '#e3e7ee',
}

/** Horizontal bars: how each checked follow-up prompt relates to the previous call (extends, or why not). */
export function causesChart(summary: DriftSummary): string {
  const rows: Array<[string, number, string]> = [
    ['extends the previous call', summary.rerender.extended, COLORS.extends],
    ...Object.entries(summary.rerender.byCause)
      .sort((a, b) => b[1] - a[1])
      .map(([cause, n]): [string, number, string] => [cause, n, COLORS.cause]),
  ]
  const max = Math.max(1, ...rows.map((r) => r[1]))
  const labelWidth = 190
  const barWidth = 230
  const rowHeight = 22
  const height = rows.length * rowHeight + 8
  const bars = rows.map(([label, n, color], i) => {
    const y = 4 + i * rowHeight
    const w = Math.max(n > 0 ? 2 : 0, Math.round((barWidth * n) / max))
    return (
      `<g data-bar="${escapeHtml(label)}"><title>${escapeHtml(`${label}: ${n}`)}</title>` +
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" font-size="12" fill="${COLORS.text}">${escapeHtml(label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="14" rx="2" fill="${color}"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 14}" font-size="12" fill="${COLORS.mute}">${n}</text></g>`
    )
  })
  const total = summary.rerender.checked
  return chart(
    'causes',
    `Follow-up prompts (${total} checked): extends, or why not`,
    labelWidth + barWidth + 50,
    height,
    bars.join(''),
    total === 0 ? 'no follow-up prompts to check' : null
  )
}

/**
 * Grouped bars over the position in a response (deciles): where BPE drift sites sit in the sampled ids, and
 * where the next prompt stops extending them ("earlier prompt": the break is before the previous response).
 */
export function positionChart(calls: readonly CallDrift[]): string {
  const bpe = new Array<number>(11).fill(0)
  const breaks = new Array<number>(11).fill(0)
  const decile = (at: number, length: number): number => 1 + Math.min(9, Math.floor((10 * at) / Math.max(1, length)))
  for (const call of calls) {
    const r = call.bpe
    if (r?.drifted) for (const i of r.driftedIndices.original) bump(bpe, decile(i, r.counts.original))
    const d = call.rerender
    if (d)
      bump(
        breaks,
        d.generatedOffset < 0 ? 0 : decile(d.generatedOffset, d.generatedOffset + Math.max(1, d.sampledLost))
      )
  }
  const max = Math.max(1, ...bpe, ...breaks)
  const left = 30
  const group = 38
  const plot = 110
  const top = 32
  const labels = ['earlier prompt', ...Array.from({ length: 10 }, (_, i) => `${i * 10}–${i * 10 + 10} %`)]
  const parts: string[] = [
    `<line x1="${left}" y1="${top + plot}" x2="${left + group * 11}" y2="${top + plot}" stroke="${COLORS.grid}"/>`,
  ]
  for (let g = 0; g < 11; g++) {
    const x = left + g * group
    for (const [k, values, color, what] of [
      [0, bpe, COLORS.bpe, 'BPE drift sites'],
      [1, breaks, COLORS.cause, 'prompt breaks'],
    ] as const) {
      const n = values[g] as number
      const h = n > 0 ? Math.max(2, Math.round((plot * n) / max)) : 0
      const bx = x + 6 + k * 13
      parts.push(
        `<g data-bin="${g}" data-series="${k === 0 ? 'bpe' : 'break'}"><title>${escapeHtml(`${labels[g]}: ${n} ${what}`)}</title>` +
          `<rect x="${bx}" y="${top + plot - h}" width="12" height="${h}" rx="1" fill="${color}"/>` +
          (n > 0
            ? `<text x="${bx + 6}" y="${top + plot - h - 3}" text-anchor="middle" font-size="9" fill="${COLORS.mute}">${n}</text>`
            : '') +
          '</g>'
      )
    }
    const label = g === 0 ? 'prompt' : `${(g - 1) * 10}`
    parts.push(
      `<text x="${x + group / 2}" y="${top + plot + 13}" text-anchor="middle" font-size="10" fill="${COLORS.mute}">${label}</text>`
    )
  }
  parts.push(
    `<text x="${left + group * 6}" y="${top + plot + 28}" text-anchor="middle" font-size="10.5" fill="${COLORS.mute}">position in the response (%)</text>`,
    `<rect x="${left}" y="2" width="10" height="10" fill="${COLORS.bpe}"/><text x="${left + 14}" y="11" font-size="11" fill="${COLORS.text}">BPE drift sites</text>`,
    `<rect x="${left + 120}" y="2" width="10" height="10" fill="${COLORS.cause}"/><text x="${left + 134}" y="11" font-size="11" fill="${COLORS.text}">next prompt stops extending it</text>`
  )
  const empty = bpe.every((n) => n === 0) && breaks.every((n) => n === 0)
  return chart(
    'positions',
    'Where drift sits',
    left + group * 11 + 8,
    top + plot + 34,
    parts.join(''),
    empty ? 'no drift to place' : null
  )
}

function bump(bins: number[], at: number): void {
  bins[at] = (bins[at] ?? 0) + 1
}

function chart(name: string, title: string, width: number, height: number, body: string, empty: string | null): string {
  return (
    `<figure class="chart" data-chart="${name}"><h3>${escapeHtml(title)}</h3>` +
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>` +
    `${empty ? `<p class="hint">${escapeHtml(empty)}</p>` : ''}</figure>`
  )
}
