import { Agent, type LocalAgent, type ModelStreamEvent, type Plugin } from '@strands-agents/sdk'
import { addTool, exactFields, ScriptedModel, type ScriptedTurn, testAgent } from '@strands-vllm/testing'
import { describe, expect, it } from 'vitest'
import { buildTrajectories } from './build-trajectories.js'
import { RecorderError } from './errors.js'
import { VLLMTokenRecorder, type VLLMTokenRecorderOptions } from './recorder.js'

function setup(turns: ScriptedTurn[], options: VLLMTokenRecorderOptions = {}, config = {}) {
  const warnings: string[] = []
  const recorder = new VLLMTokenRecorder({ warn: (m) => warnings.push(m), ...options })
  const model = new ScriptedModel(turns, config)
  const agent = testAgent({
    model,
    tools: [addTool],
    plugins: [recorder],
  })
  return { recorder, agent, model, warnings }
}

describe('VLLMTokenRecorder', () => {
  it('records one entry per model call, in order, with ids and metadata', async () => {
    const { recorder, agent } = setup([
      {
        text: 'Adding.',
        toolCalls: [{ id: 'call_1', name: 'add', input: { a: 2, b: 3 } }],
        fields: exactFields([1, 2, 3], [4, 5]),
      },
      {
        text: 'The sum is 5.',
        fields: exactFields([1, 2, 3, 4, 5, 198, 6], [7, 8]),
        usage: { inputTokens: 7, outputTokens: 2 },
      },
    ])
    const result = await agent.invoke('What is 2 + 3?')
    expect(String(result)).toBe('The sum is 5.')
    const h = recorder.history
    expect(h).toHaveLength(2)
    expect(h.map((c) => [c.callIndex, c.invocationIndex, c.attempt, c.status])).toEqual([
      [0, 0, 1, 'exact'],
      [1, 0, 1, 'exact'],
    ])
    expect(h[0]).toMatchObject({
      promptTokenIds: [1, 2, 3],
      tokenIds: [4, 5],
      logprobs: [-0.125, -0.25],
      toolUses: [{ id: 'call_1', name: 'add' }],
      agentStopReason: 'toolUse',
      finishReason: 'stop',
      responseId: 'chatcmpl-3-2',
      sampling: { temperature: 1 },
      timing: { startMs: 1, firstByteMs: 2, endMs: 3 },
    })
    expect(h[1]!.toolUses).toEqual([])
    expect(recorder.promptTokenIds).toEqual([1, 2, 3, 4, 5, 198, 6])
    expect(recorder.tokenIds).toEqual([7, 8])
    const { trajectories } = buildTrajectories(recorder.history)
    expect(Array.from(trajectories[0]!.tokenIds)).toEqual([1, 2, 3, 4, 5, 198, 6, 7, 8])
    expect(Array.from(trajectories[0]!.lossMask)).toEqual([0, 0, 0, 1, 1, 0, 0, 1, 1])
  })

  it('counts invocations, keeps history across them by default, and resets on demand', async () => {
    const turns = [
      { text: 'a', fields: exactFields([1], [2]) },
      { text: 'b', fields: exactFields([1, 2, 3], [4]) },
    ]
    const kept = setup(turns)
    await kept.agent.invoke('one')
    await kept.agent.invoke('two')
    expect(kept.recorder.history.map((c) => c.invocationIndex)).toEqual([0, 1])
    kept.recorder.reset()
    expect(kept.recorder.history).toEqual([])
    expect(kept.recorder.tokenIds).toBeUndefined()

    const fresh = setup(turns, { resetOnInvocation: true })
    await fresh.agent.invoke('one')
    await fresh.agent.invoke('two')
    expect(fresh.recorder.history.map((c) => [c.callIndex, c.invocationIndex])).toEqual([[0, 1]])
  })

  it('records a call without ids as missing and warns once', async () => {
    const { recorder, agent, warnings } = setup([{ text: 'a' }, { text: 'b' }])
    await agent.invoke('one')
    await agent.invoke('two')
    expect(recorder.history.map((c) => c.status)).toEqual(['missing', 'missing'])
    expect(recorder.history[0]!.promptTokenIds).toBeUndefined()
    expect(recorder.tokenIds).toBeUndefined()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/returned no token ids/)
  })

  it('warns once when the model was created with returnTokenIds: false', async () => {
    const { warnings, agent } = setup([{ text: 'a' }], {}, { returnTokenIds: false })
    await agent.invoke('one')
    expect(warnings).toEqual([expect.stringMatching(/returnTokenIds: false/)])
  })

  it('records a failed call with its error (and never a gap)', async () => {
    const { recorder, agent } = setup([{ error: new Error('boom') }])
    await expect(agent.invoke('one')).rejects.toThrow('boom')
    expect(recorder.history).toHaveLength(1)
    expect(recorder.history[0]).toMatchObject({ status: 'missing', error: { message: 'boom' } })
  })

  it('chains inner observers: functions see every raw event, plugins are initialised', async () => {
    const seen: string[] = []
    let initialised: LocalAgent | undefined
    const innerPlugin: Plugin = {
      name: 'inner',
      initAgent(agent) {
        initialised = agent
      },
    }
    const { agent } = setup([{ text: 'hi', fields: exactFields([1], [2]) }], {
      inner: [(e: ModelStreamEvent) => seen.push(e.type), innerPlugin],
    })
    await agent.invoke('one')
    expect(initialised).toBe(agent)
    expect(seen).toEqual([
      'modelMessageStartEvent',
      'modelContentBlockStartEvent',
      'modelContentBlockDeltaEvent',
      'modelContentBlockStopEvent',
      'modelMessageStopEvent',
    ])
  })

  it('refuses to serve two agents', async () => {
    const { recorder, agent } = setup([{ text: 'a', fields: exactFields([1], [2]) }])
    await agent.invoke('one')
    const other = new Agent({ model: new ScriptedModel([{ text: 'b' }]), plugins: [recorder], printer: false })
    const error = await other.invoke('two').catch((e: unknown) => e)
    expect(RecorderError.isInstance(error)).toBe(true)
  })

  it('keeps concurrent agents with separate recorders apart', async () => {
    const runs = Array.from({ length: 4 }, (_, k) =>
      setup(
        Array.from({ length: 3 }, (_, i) => ({
          text: `agent ${k} turn ${i}`,
          fields: exactFields([k, i], [100 + k]),
          delayMs: ((k * 7 + i * 3) % 5) + 1,
        }))
      )
    )
    await Promise.all(
      runs.map(async ({ agent }) => {
        for (let i = 0; i < 3; i++) await agent.invoke(`go ${i}`)
      })
    )
    runs.forEach(({ recorder }, k) => {
      expect(recorder.history.map((c) => c.promptTokenIds)).toEqual([
        [k, 0],
        [k, 1],
        [k, 2],
      ])
      expect(recorder.history.map((c) => c.tokenIds)).toEqual([[100 + k], [100 + k], [100 + k]])
    })
  })
})

describe('VLLMTokenRecorder across rollouts', () => {
  it('a history kept for rollout A never changes when the recorder resets for rollout B (issue 13.3)', async () => {
    const turns = [
      { text: 'a', fields: exactFields([1], [2]) },
      { text: 'b', fields: exactFields([5], [6]) },
      { text: 'c', fields: exactFields([7], [8]) },
    ]
    const { recorder, agent } = setup(turns)
    await agent.invoke('rollout A')
    const a = recorder.history
    const copy = structuredClone(a)
    recorder.reset()
    await agent.invoke('rollout B')
    expect(a).toEqual(copy)
    expect(recorder.history.map((c) => c.promptTokenIds)).toEqual([[5]])
    // Taken mid-rollout, a history is a snapshot too: later calls are not appended to it.
    const mid = recorder.history
    await agent.invoke('more of B')
    expect(mid).toHaveLength(1)
    expect(recorder.history).toHaveLength(2)
    expect(Object.isFrozen(recorder.history)).toBe(true)

    const fresh = setup(turns, { resetOnInvocation: true })
    await fresh.agent.invoke('one')
    const first = fresh.recorder.history
    await fresh.agent.invoke('two')
    expect(first.map((c) => c.promptTokenIds)).toEqual([[1]])
    expect(fresh.recorder.history.map((c) => c.promptTokenIds)).toEqual([[5]])
  })

  it('writes its rolloutId as the session key into modelState at each invocation (read by VLLMModel)', async () => {
    const { agent, model } = setup(
      [
        { text: 'a', fields: exactFields([1], [2]) },
        { text: 'b', fields: exactFields([1, 2, 3], [4]) },
      ],
      { rolloutId: 'r-session' }
    )
    await agent.invoke('one')
    agent.modelState.set('strands-vllm:session-id', 'stale')
    await agent.invoke('two')
    expect(model.sessionKeys).toEqual(['r-session', 'r-session'])
  })

  it('copies the request-path fields of the model onto the record', async () => {
    const pauses = [{ status: 429, retryAfterMs: 1000, waitedMs: 1003, reason: 'weight sync' }]
    const tokenIn = {
      prompt: 'rendered' as const,
      renderReason: 'first_call' as const,
      renderer: 'server' as const,
      bridgeLength: null,
      synthesizedClose: false,
      previousLength: null,
    }
    const fields = exactFields([1, 2], [3], { mode: 'token-in', transport: 'json', sessionId: 's-9', pauses, tokenIn })
    const { recorder, agent } = setup([{ text: 'a', fields: { ...fields, logprobTokens: ['x'] } as typeof fields }])
    await agent.invoke('one')
    expect(recorder.history[0]).toMatchObject({
      mode: 'token-in',
      transport: 'json',
      sessionId: 's-9',
      pauses,
      tokenIn,
      logprobTokens: ['x'],
    })
  })
})
