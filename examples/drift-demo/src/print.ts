import type { Trajectory } from '@strands-vllm/tito'
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
    `Server: ${server}.`,
    `Files are written to ${outDir}: calls.jsonl (one line per model call) and drift-report.html.`,
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

export function fileLines(files: { jsonl: string; html: string; cli: string }): string {
  return [
    '\nFiles',
    `  canonical JSONL (one line per model call): ${files.jsonl}`,
    `  HTML report (open it in a browser):        ${files.html}`,
    `  scan it again with the CLI:                node ${files.cli} scan ${files.jsonl} --html report.html`,
  ].join('\n')
}
