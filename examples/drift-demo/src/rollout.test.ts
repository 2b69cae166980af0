import { analyzeCalls, renderTerminalReport } from '@strands-vllm/drift'
import { afterEach, describe, expect, it } from 'vitest'
import { type DriftRollout, runDriftRollout } from './rollout.js'

let rollout: DriftRollout | undefined
afterEach(async () => {
  await rollout?.close()
  rollout = undefined
})

describe('drift demo against the mock vLLM server', () => {
  it('reports BPE drift and re-render drift with the right causes', { timeout: 60_000 }, async () => {
    rollout = await runDriftRollout({ env: {} })
    expect(rollout.kind).toBe('mock')
    expect(rollout.history.map((c) => c.status)).toEqual(['exact', 'exact', 'exact', 'exact'])
    // the unknown tool never ran: the validation hooks answered with the RL-friendly error
    expect(rollout.toolResults).toEqual([
      { status: 'error', text: 'Error: unknown tool: calc | allowed_tools=[calculator]' },
      { status: 'success', text: '391' },
    ])

    const { calls, summary } = await analyzeCalls(rollout.history, rollout.tokenizer)
    const [unknownTool, toolCall, answer, followUp] = calls
    // the first tool call was written in the template's own format, so the next prompt extends it
    expect(toolCall?.rerender).toBeNull()
    expect(unknownTool?.bpe?.drifted).toBe(false)
    // the blog's case, sampled by the (mock) model and recorded exactly
    expect(answer?.bpe?.original.ids.slice(answer.bpe.firstDivergence ?? 0).slice(0, 2)).toEqual([39, 83722])
    expect(answer?.bpe?.reencoded.ids.slice(answer.bpe.firstDivergence ?? 0).slice(0, 2)).toEqual([72239, 1718])
    expect(toolCall?.bpe?.drifted).toBe(false)
    // the template re-renders the compact tool call, then drops the <think> block of the answer
    expect(answer?.rerender).toMatchObject({ cause: 'tool_call_reserialized', previousCallIndex: 1 })
    // (call 0's <think>, which call 1's prompt still showed, is gone once the new user turn arrives)
    expect(followUp?.rerender).toMatchObject({ cause: 'reasoning_stripped', previousCallIndex: 2 })
    expect(followUp?.rerender?.generatedOffset).toBeLessThan(0)
    expect(followUp?.rerender?.held.pieces).toContain('<think>')
    expect(summary.rerender.byCause).toEqual({ tool_call_reserialized: 1, reasoning_stripped: 1 })

    const text = renderTerminalReport({
      tokenizer: rollout.tokenizer.name,
      analysis: { calls, summary, tokenizer: 'qwen3', trajectories: [], pieces: {} },
    })
    expect(text).toContain('39 H │ 83722 AVING')
  })
})
