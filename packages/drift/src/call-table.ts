import type { CallDrift } from './analyze-calls.js'
import { escapeControls } from './display.js'
import { renderTable, type Style } from './terminal-style.js'

/**
 * The per-call table of the terminal report and of `strands-vllm-drift scan --calls`: one naming style
 * (`call N`, lengths in tokens, positions as `token N`) shared by both. A `rollout` column appears when the
 * calls come from more than one rollout.
 */
export function renderCallTable(calls: readonly CallDrift[], s: Style): string {
  const rollouts = new Set(calls.map((c) => c.rolloutId))
  const withRollout = rollouts.size > 1
  const headers = [
    ...(withRollout ? ['rollout'] : []),
    'call',
    'try',
    'status',
    'finish',
    'prompt',
    'sampled',
    'logprob mean/min',
    'BPE re-encode',
    'prompt vs previous call',
  ]
  const rows = calls.map((call) => [
    ...(withRollout ? [call.rolloutId === undefined ? '—' : escapeControls(call.rolloutId)] : []),
    `call ${call.callIndex}`,
    call.attempt === undefined ? '—' : String(call.attempt),
    call.status === 'exact' ? call.status : s.yellow(call.status),
    call.finishReason === null ? '—' : escapeControls(call.finishReason),
    call.promptLength === null ? s.dim('—') : String(call.promptLength),
    call.sampledLength === null ? s.dim('—') : String(call.sampledLength),
    call.logprobs ? `${call.logprobs.mean.toFixed(3)} / ${call.logprobs.min.toFixed(3)}` : s.dim('—'),
    bpeCell(call, s),
    rerenderCell(call, s),
  ])
  const first = withRollout ? 5 : 4
  return renderTable(headers, rows, { style: s, right: [first, first + 1] })
}

function bpeCell(call: CallDrift, s: Style): string {
  const bpe = call.bpe
  if (!bpe) return s.dim('—')
  if (!bpe.drifted) return s.green('stable')
  const flags = [!bpe.textStable && 'text changes', bpe.createdSpecialIds.length > 0 && 'creates control tokens']
    .filter(Boolean)
    .join(', ')
  const sites = bpe.driftedIndices.original.length
  return (
    s.red(`drifts at token ${bpe.firstDivergence}: ${sites} token${sites === 1 ? '' : 's'} change`) +
    (flags ? ` (${flags})` : '')
  )
}

function rerenderCell(call: CallDrift, s: Style): string {
  if (call.extendsPrevious === null) return s.dim('—')
  const r = call.rerender
  if (!r) return s.green('extends it')
  return `${s.red(`breaks at token ${r.index}`)} (${breakPlace(r.generatedOffset, r.previousCallIndex)}): ${s.yellow(r.cause)}`
}

/** Where a prompt break sits, in words: inside the previous call's sampled tokens, or before them. */
export function breakPlace(generatedOffset: number, previousCallIndex: number): string {
  return generatedOffset >= 0
    ? `sampled token ${generatedOffset} of call ${previousCallIndex}`
    : `in the prompt of call ${previousCallIndex}`
}
