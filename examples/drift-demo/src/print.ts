import type { Trajectory } from '@strands-vllm/tito'
import type { ModeCallRow, ModeComparison, ModeSide } from './mode-comparison.js'
import type { DriftRollout } from './rollout.js'

/** What the reader is about to see, said before anything runs. Naming used throughout: `call N`, `N tokens`. */
export function intro(server: string, outDir: string): string {
  return [
    'strands-vllm · retokenization drift demo',
    '',
    'TITO (Token-In/Token-Out) means: record the exact token ids vLLM saw and sampled on every model call, and',
    'train on those ids, never on text re-tokenized afterwards. This demo shows why, with real Qwen3 token ids:',
    '  1. Rollout       a two-turn Strands agent (thinking, a tool call) runs; VLLMTokenRecorder keeps',
    "                   every call's prompt and sampled tokens",
    '  2. Trajectories  the calls become training sequences (loss mask 1 = sampled, 0 = context); a split',
    "                   means a prompt stopped extending the previous call's prompt + sampled tokens",
    '  3. Drift         which sampled tokens change when decoded and re-encoded, and what each next prompt',
    '                   rewrites, with the cause; then a verdict on this rollout',
    '  4. Token-in      the same episode in chat mode and in token-in mode (the client sends the ids), side by',
    '                   side: where each prompt came from, trajectories, divergences, sampled tokens lost',
    `Server: ${server}.`,
    `Files are written to ${outDir}: calls.jsonl (one line per model call), calls-token-in.jsonl (the same`,
    '  episode in token-in mode) and drift-report.html.',
  ].join('\n')
}

export function heading(step: number, total: number, title: string): string {
  return `\n[${step}/${total}] ${title}`
}

export function rolloutLines(rollout: DriftRollout): string {
  const out: string[] = [`Rollout · ${rollout.description}`]
  for (const call of rollout.history) {
    const tools = call.toolUses.length ? ` → ${call.toolUses.map((t) => t.name).join(', ')}` : ''
    out.push(
      `  call ${call.callIndex}  ${(call.finishReason ?? '—').padEnd(10)}  prompt ${String(call.promptTokenIds?.length ?? 0).padStart(4)} tokens` +
        `  sampled ${String(call.tokenIds?.length ?? 0).padStart(3)} tokens  ${call.status}${tools}`
    )
  }
  out.push('  tool results the model read:')
  for (const result of rollout.toolResults) out.push(`    [${result.status}] ${result.text}`)
  return out.join('\n')
}

export function trajectoryLines(trajectories: readonly Trajectory[], splits: number): string {
  const out: string[] = [
    `Trajectories · ${trajectories.length} (${splits} split${splits === 1 ? '' : 's'}; each call's prompt must extend the previous call's prompt + sampled tokens)`,
  ]
  for (const t of trajectories) {
    const trainable = t.lossMask.reduce((n, m) => n + m, 0)
    const calls = `${t.callIndices.length === 1 ? 'call ' : 'calls'} ${t.callIndices.join(', ')}`
    out.push(
      `  trajectory ${t.index}  ${calls.padEnd(11)}  ${String(t.length).padStart(4)} tokens  ` +
        `mask: ${trainable} sampled (1), ${t.length - trainable} context (0)  segments ${t.segments
          .map((s) => `${s.kind === 'response' ? 'R' : 'P'}${s.length}`)
          .join(' ')}`
    )
  }
  out.push('  (segments: P = prompt tokens added, R = sampled tokens, in training order)')
  return out.join('\n')
}

export function fileLines(files: {
  jsonl: string
  tokenInJsonl: string | null
  html: string | null
  cli: string
}): string {
  return [
    '\nFiles',
    `  canonical JSONL (one line per model call): ${files.jsonl}`,
    ...(files.tokenInJsonl ? [`  the same episode in token-in mode:         ${files.tokenInJsonl}`] : []),
    ...(files.html ? [`  HTML report (open it in a browser):        ${files.html}`] : []),
    `  scan it again with the CLI:                node ${files.cli} scan ${files.jsonl} --html report.html`,
  ].join('\n')
}

/** Step 4: the same episode through both request paths, call by call, then what the builder made of each. */
export function modeComparisonLines(c: ModeComparison, kind: DriftRollout['kind']): string {
  const { chat, tokenIn, sampledIds } = c
  const out: string[] = [
    `Chat mode vs token-in · the same episode once per request path (${kind === 'mock' ? 'the same scripted mock model' : 'the same server'})`,
    '  chat mode  POST /v1/chat/completions: the server re-renders the whole conversation from the messages on',
    '             every call',
    '  token-in   POST /v1/completions with the ids the client holds: the first prompt rendered once (/tokenize),',
    '             each later one = previous prompt + its sampled tokens + a bridge (the tool results or user turn',
    '             appended since, as the template renders them after an assistant turn)',
    '',
    `  ${'call'.padEnd(6)}  ${'sampled'.padEnd(9)}  ${'chat mode: prompt (re-rendered by the server)'.padEnd(CHAT_COLUMN)}  token-in: prompt (the client's ids)`,
    `  ${'─'.repeat(6)}  ${'─'.repeat(9)}  ${'─'.repeat(CHAT_COLUMN)}  ${'─'.repeat(44)}`,
  ]
  for (let i = 0; i < Math.max(chat.rows.length, tokenIn.rows.length); i++) {
    const a = chat.rows[i]
    const b = tokenIn.rows[i]
    const sampled =
      a && b && a.sampledLength !== b.sampledLength
        ? `${a.sampledLength} / ${b.sampledLength}`
        : `${(a ?? b)?.sampledLength ?? 0} tokens`
    out.push(
      `  ${`call ${(a ?? b)?.callIndex ?? i}`.padEnd(6)}  ${sampled.padEnd(9)}  ${(a ? chatPrompt(a) : '—').padEnd(CHAT_COLUMN)}  ` +
        `${b ? tokenInPrompt(b, tokenIn.rows[i - 1]) : '—'}`
    )
  }
  out.push(
    sampledIds.identical
      ? `  sampled ids identical in both modes: yes (${sampledIds.calls.chat} calls, ${sampledIds.tokens} tokens, compared id for id): only the prompts differ`
      : `  sampled ids identical in both modes: no, ${sampledIdsDifference(c)} (a real model samples anew, and after the first call the two modes send other prompts); the numbers below are per mode`
  )
  const row = (label: string, left: string, right: string) =>
    `  ${label.padEnd(20)}  ${left.padEnd(SUMMARY_COLUMN)}  ${right}`
  out.push(
    '',
    row('', 'chat mode', 'token-in'),
    row('trajectories', trajectories(chat), trajectories(tokenIn)),
    row('divergences', divergences(chat), divergences(tokenIn)),
    row('tokens to train on', trainingTokens(chat), trainingTokens(tokenIn)),
    row('sampled tokens lost', lost(chat), lost(tokenIn)),
    '  Lost counts the sampled tokens from each split point on: the template rewrote them, so no later prompt extends',
    '  them and they only end a sequence that was split off. Kept as one sequence per episode instead',
    `  (onDivergence: 'trust-server'), chat mode would lose ${chat.lostAsOneSequence} of ${chat.sampled} sampled tokens, token-in ${tokenIn.lostAsOneSequence} of ${tokenIn.sampled}.`,
    '  The builder checked every extended token-in prompt: it starts with the previous prompt + sampled tokens.'
  )
  return out.join('\n')
}

const CHAT_COLUMN = 56
const SUMMARY_COLUMN = 56

function chatPrompt(row: ModeCallRow): string {
  const tokens = `${row.promptLength} tokens`
  const d = row.divergence
  if (d) return `${tokens}, breaks at token ${d.index}: ${d.cause}`
  if (row.link?.relation === 'extends') return `${tokens}, extends call ${row.link.previousCallIndex}`
  if (row.link?.relation === 'retry') return `${tokens}, the same prompt again (retry)`
  return row.link ? `${tokens}, the first prompt` : `${tokens}, left out (not exact)`
}

function tokenInPrompt(row: ModeCallRow, previous: ModeCallRow | undefined): string {
  const tokens = `${row.promptLength} tokens`
  const t = row.tokenIn
  if (!t) return `${tokens}, not a token-in call`
  if (t.prompt === 'retry') return `${tokens}, the same prompt resent (retry)`
  if (t.prompt === 'rendered') return `${tokens}, rendered (${t.renderReason ?? 'first_call'})`
  const close = t.synthesizedClose ? ', close synthesized' : ''
  return previous
    ? `${tokens} = ${previous.promptLength} + ${previous.sampledLength} sampled + ${t.bridgeLength} bridge${close}`
    : `${tokens}, extended by a ${t.bridgeLength}-token bridge${close}`
}

function sampledIdsDifference({ sampledIds }: ModeComparison): string {
  const { calls, firstDifference } = sampledIds
  if (calls.chat !== calls.tokenIn) return `chat mode made ${calls.chat} calls, token-in ${calls.tokenIn}`
  return `call ${firstDifference?.callIndex} differs from sampled token ${firstDifference?.at}`
}

function trajectories(side: ModeSide): string {
  const splits = side.divergences.length
  return `${side.trajectories} (${splits === 0 ? 'no split' : `${splits} split${splits === 1 ? '' : 's'}`})`
}

function divergences(side: ModeSide): string {
  if (side.divergences.length === 0) return 'none'
  if (side.divergences.length <= 2) return side.divergences.map((d) => `call ${d.callIndex} ${d.cause}`).join(', ')
  const byCause = new Map<string, number>()
  for (const d of side.divergences) byCause.set(d.cause, (byCause.get(d.cause) ?? 0) + 1)
  return [...byCause].map(([cause, n]) => `${cause} ×${n}`).join(', ')
}

function trainingTokens(side: ModeSide): string {
  const sequences = `${side.trajectories} sequence${side.trajectories === 1 ? '' : 's'}`
  return `${side.trainingTokens} in ${sequences} (${side.contextTokens} context)`
}

function lost(side: ModeSide): string {
  const { total, byCall } = side.rewritten
  const where = byCall.length ? ` (${byCall.map((b) => `call ${b.callIndex}: ${b.tokens}`).join(', ')})` : ''
  return `${total} of ${side.sampled}${where}`
}
