import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTrajectories, buildTrajectoriesAsync } from './build-trajectories.js'
import { TokenManagerError, TrajectoryDivergenceError } from './errors.js'
import { assistant, qwen3Call as call, qwen3 as tok, toolCallText, toolTurn, user } from './testing/qwen3-calls.js'
import { vllmDetokenizer } from './token-decoder.js'
import { TokenManager } from './token-manager.js'
import { toVerlRows } from './training-exports.js'

const encode = (text: string): number[] => tok.encode(text)

describe('buildTrajectories with real Qwen3 templates', () => {
  it('merges a prefix-preserving multi-turn conversation into one trajectory', () => {
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello! How can I help?'), user('Tell me a joke.')]
    const m3 = [...m2, assistant('Why did the chicken cross the road?'), user('Why?')]
    const calls = [
      call(0, m1, 'Hello! How can I help?<|im_end|>'),
      call(1, m2, 'Why did the chicken cross the road?<|im_end|>'),
      call(2, m3, 'To get to the other side.<|im_end|>'),
    ]
    const { trajectories, divergences, excluded, calls: links } = buildTrajectories(calls, { decoder: tok })
    expect(divergences).toEqual([])
    expect(excluded).toEqual([])
    expect(trajectories).toHaveLength(1)
    const t = trajectories[0]!
    const last = calls[2]!
    expect(Array.from(t.tokenIds)).toEqual([...last.promptTokenIds!, ...last.tokenIds!])
    const sampled = calls.flatMap((c) => c.tokenIds!)
    expect(Array.from(t.tokenIds).filter((_, i) => t.lossMask[i] === 1)).toEqual(sampled)
    expect(t.logprobs.filter((x) => x !== null)).toEqual(calls.flatMap((c) => c.logprobs!))
    // The bridge after <|im_end|> starts with the template's "\n" separator (198).
    expect(t.tokenIds[t.segments[2]!.start]).toBe(198)
    expect(links.map((l) => l.relation)).toEqual(['first', 'extends', 'extends'])
    expect(t.callIndices).toEqual([0, 1, 2])
  })

  it('classifies stripped reasoning (thinking on) as reasoning_stripped', () => {
    const m1 = [user('What is 2+2?')]
    const m2 = [...m1, assistant('4'), user('And 3+3?')]
    const calls = [call(0, m1, '<think>\nEasy.\n</think>\n\n4<|im_end|>'), call(1, m2, '6<|im_end|>')]
    const { trajectories, divergences, causeCounts } = buildTrajectories(calls, { decoder: tok })
    expect(trajectories).toHaveLength(2)
    expect(divergences).toHaveLength(1)
    const d = divergences[0]!
    expect(d).toMatchObject({ callIndex: 1, previousCallIndex: 0, cause: 'reasoning_stripped' })
    expect(d.index).toBe(calls[0]!.promptTokenIds!.length)
    expect(d.heldId).toBe(QWEN3_TOKENS.thinkStart)
    expect(d.window?.held.startsWith('<think>')).toBe(true)
    expect(causeCounts.reasoning_stripped).toBe(1)
  })

  it('classifies the dropped empty <think> of enable_thinking: false as reasoning_stripped (inside the prompt)', () => {
    const kwargs = { enable_thinking: false }
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello.'), user('Bye')]
    const calls = [call(0, m1, 'Hello.<|im_end|>', { kwargs }), call(1, m2, 'Bye!<|im_end|>', { kwargs })]
    const { divergences } = buildTrajectories(calls)
    expect(divergences[0]).toMatchObject({ cause: 'reasoning_stripped', heldId: QWEN3_TOKENS.thinkStart })
    expect(divergences[0]!.index).toBeLessThan(divergences[0]!.previousPromptLength)
  })

  it('classifies a compact tool-call JSON the template re-renders as tool_call_reserialized', () => {
    const m1 = [user('Weather in Paris?')]
    const m2 = [...m1, ...toolTurn('c1', 'get_weather', { city: 'Paris' }, '{"temp_c": 18}')]
    const compact = '<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call><|im_end|>'
    const calls = [call(0, m1, compact), call(1, m2, 'It is 18°C.<|im_end|>')]
    const { divergences } = buildTrajectories(calls, { decoder: tok })
    expect(divergences[0]).toMatchObject({ cause: 'tool_call_reserialized' })
    expect(divergences[0]!.window!.held).toContain('"get_weather"')
    // The canonical form (what the template renders) is prefix-preserving.
    const canonical = toolCallText('get_weather', { city: 'Paris' })
    expect(buildTrajectories([call(0, m1, canonical), call(1, m2, 'Ok<|im_end|>')]).divergences).toEqual([])
  })

  it('calls a same-text split inside a tool call retokenization, not tool_call_reserialized', () => {
    const m1 = [user('Weather in Paris?')]
    const m2 = [...m1, ...toolTurn('c1', 'get_weather', { city: 'Paris' }, '{"temp_c": 18}')]
    const canonical = toolCallText('get_weather', { city: 'Paris' })
    const first = call(0, m1, canonical)
    // the model sampled "Paris" as two pieces: the text is identical, only the ids differ
    const paris = [tok.tokenToId('Paris')!]
    const at = first.tokenIds!.findIndex((_, i) => first.tokenIds!.slice(i, i + paris.length).join() === paris.join())
    expect(at).toBeGreaterThan(0)
    const split = [tok.tokenToId('Par')!, tok.tokenToId('is')!]
    expect(tok.decode(split)).toBe('Paris')
    first.tokenIds = [...first.tokenIds!.slice(0, at), ...split, ...first.tokenIds!.slice(at + paris.length)]
    first.logprobs = first.tokenIds.map(() => -0.1)
    const { divergences } = buildTrajectories([first, call(1, m2, 'Ok<|im_end|>')], { decoder: tok })
    expect(divergences[0]).toMatchObject({ cause: 'retokenization' })
    // without a decoder only the ids are known: the position inside <tool_call> is all there is
    expect(buildTrajectories([first, call(1, m2, 'Ok<|im_end|>')]).divergences[0]?.cause).toBe('tool_call_reserialized')
  })

  it('classifies a call after a max_tokens cut as truncated_previous', () => {
    const m1 = [user('Count to ten.')]
    const calls = [
      call(0, m1, 'One, two, three', { finishReason: 'length' }),
      call(1, [...m1, assistant('One, two, three'), user('Go on')], 'four<|im_end|>'),
    ]
    expect(buildTrajectories(calls).divergences[0]).toMatchObject({ cause: 'truncated_previous' })
  })

  it('tells retokenization (same text, other ids) apart with a decoder', () => {
    const m1 = [user('Which SQL clause filters groups?')]
    const m2 = [...m1, assistant('HAVING filters groups.'), user('Thanks')]
    // The model sampled "H" + "AVING" where the tokenizer would produce another split.
    const sampled = [...encode('H'), ...encode('AVING'), ...encode(' filters groups.<|im_end|>')]
    expect(tok.decode(sampled)).toBe('HAVING filters groups.<|im_end|>')
    const first = { ...call(0, m1, ''), tokenIds: sampled, logprobs: sampled.map(() => -0.1) }
    const calls = [first, call(1, m2, 'You are welcome.<|im_end|>')]
    expect(buildTrajectories(calls).divergences[0]!.cause).toBe('unknown')
    const withText = buildTrajectories(calls, { decoder: tok }).divergences[0]!
    expect(withText.cause).toBe('retokenization')
    expect(withText.window).toMatchObject({
      held: expect.stringContaining('H'),
      received: expect.stringContaining('HAV'),
    })
  })

  it('classifies changed history and a changed system prompt', () => {
    const m1 = [user('A'), assistant('B'), user('C')]
    const rewritten = [user('A'), assistant('B (edited)'), user('C'), assistant('D'), user('E')]
    const calls = [call(0, m1, 'D<|im_end|>'), call(1, rewritten, 'F<|im_end|>')]
    expect(buildTrajectories(calls).divergences[0]!.cause).toBe('history_rewritten')
    const sys1 = [{ role: 'system', content: 'You are terse.' }, user('A')]
    const sys2 = [{ role: 'system', content: 'You are verbose.' }, user('A'), assistant('B'), user('C')]
    const calls2 = [call(0, sys1, 'B<|im_end|>'), call(1, sys2, 'D<|im_end|>')]
    expect(buildTrajectories(calls2).divergences[0]!.cause).toBe('template_changed')
  })

  it('excludes non-exact calls (dropped and counted, never zero-filled), keeping the rest consistent', () => {
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello.'), user('More')]
    const m3 = [...m2, assistant('Sure.'), user('End')]
    const calls = [
      call(0, m1, 'Hello.<|im_end|>'),
      { ...call(1, m2, 'Sure.<|im_end|>'), status: 'incomplete' as const },
      call(2, m3, 'Bye.<|im_end|>'),
    ]
    const { trajectories, excluded } = buildTrajectories(calls)
    expect(excluded).toEqual([
      { callIndex: 1, position: 1, status: 'incomplete', reason: 'tito status "incomplete" is not accepted' },
    ])
    const t = trajectories[0]!
    expect(Array.from(t.tokenIds)).toEqual([...calls[2]!.promptTokenIds!, ...calls[2]!.tokenIds!])
    // Call 1's sampled ids are context now: mask 0.
    expect(t.tokens.outputLength).toBe(calls[0]!.tokenIds!.length + calls[2]!.tokenIds!.length)
  })

  it('applies the fail and trust-server policies', () => {
    const m1 = [user('What is 2+2?')]
    const m2 = [...m1, assistant('4'), user('And 3+3?')]
    const calls = [call(0, m1, '<think>\nEasy.\n</think>\n\n4<|im_end|>'), call(1, m2, '6<|im_end|>')]
    let error: unknown
    try {
      buildTrajectories(calls, { onDivergence: 'fail' })
    } catch (e) {
      error = e
    }
    expect(TrajectoryDivergenceError.isInstance(error)).toBe(true)
    expect((error as TrajectoryDivergenceError).divergence.cause).toBe('reasoning_stripped')
    expect(String(error)).toMatch(/call 1's prompt does not extend call 0's/)
    const rebased = buildTrajectories(calls, { onDivergence: 'trust-server' })
    expect(rebased.trajectories).toHaveLength(1)
    const t = rebased.trajectories[0]!
    expect(Array.from(t.tokenIds)).toEqual([...calls[1]!.promptTokenIds!, ...calls[1]!.tokenIds!])
    expect(t.tokens.outputLength).toBe(calls[1]!.tokenIds!.length)
    // Call 0's sampled ids were replaced: it left the links (and is listed in excluded).
    expect(rebased.calls).toEqual([
      expect.objectContaining({ callIndex: 1, relation: 'rebased', cause: 'reasoning_stripped' }),
    ])
    expect(rebased.excluded.map((e) => e.callIndex)).toEqual([0])
  })

  it('makes the Python duplicated-history recipe impossible', () => {
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello.'), user('More')]
    const calls = [call(0, m1, 'Hello.<|im_end|>'), call(1, m2, 'Sure.<|im_end|>')]
    // The recipe: addPrompt(full prompt) + addResponse(ids) per call. Strict mode refuses the second prompt.
    const tm = new TokenManager()
    tm.addPrompt(calls[0]!.promptTokenIds!)
    tm.addResponse(calls[0]!.tokenIds!, calls[0]!.logprobs!)
    expect(() => tm.addPrompt(calls[1]!.promptTokenIds!)).toThrow(TokenManagerError)
    // The builder never duplicates: the trajectory is exactly the last prompt + response.
    const t = buildTrajectories(calls).trajectories[0]!
    const naive = calls.reduce((n, c) => n + c.promptTokenIds!.length + c.tokenIds!.length, 0)
    expect(t.length).toBe(calls[1]!.promptTokenIds!.length + calls[1]!.tokenIds!.length)
    expect(t.length).toBeLessThan(naive)
  })

  it('replaces a retried call with the same prompt instead of diverging', () => {
    const m1 = [user('Hi')]
    const calls = [call(0, m1, 'Hello.<|im_end|>'), { ...call(1, m1, 'Hey!<|im_end|>'), attempt: 2 }]
    const { trajectories, divergences, excluded } = buildTrajectories(calls)
    expect(divergences).toEqual([])
    expect(trajectories[0]!.callIndices).toEqual([1])
    expect(Array.from(trajectories[0]!.tokenIds)).toEqual([...calls[1]!.promptTokenIds!, ...calls[1]!.tokenIds!])
    expect(excluded[0]).toMatchObject({ callIndex: 0, reason: expect.stringMatching(/superseded by call 1/) })
  })

  it('keeps two samples of the same prompt in two invocations (GRPO style) as two trajectories', () => {
    const m1 = [user('Hi')]
    const calls = [call(0, m1, 'Hello.<|im_end|>'), { ...call(1, m1, 'Hey!<|im_end|>'), invocationIndex: 1 }]
    const { trajectories, divergences, excluded, calls: links } = buildTrajectories(calls)
    expect(excluded).toEqual([])
    expect(divergences).toEqual([])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0], [1]])
    expect(links.map((l) => l.relation)).toEqual(['first', 'first'])
    expect(Array.from(trajectories[0]!.tokenIds)).toEqual([...calls[0]!.promptTokenIds!, ...calls[0]!.tokenIds!])
  })

  it('does not take the same prompt again within an invocation for a retry when attempt is 1', () => {
    const m1 = [user('Hi')]
    const { excluded, trajectories } = buildTrajectories([
      call(0, m1, 'Hello.<|im_end|>'),
      call(1, m1, 'Hey!<|im_end|>'),
    ])
    expect(excluded).toEqual([])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0], [1]])
  })

  it('starts a new invocation with fresh messages as a first call, not a divergence', () => {
    const m1 = [user('What is 2 + 2?')]
    const m2 = [...m1, assistant('4'), user('And 3 + 3?')]
    const calls = [
      call(0, m1, '4<|im_end|>'),
      call(1, m2, '6<|im_end|>'),
      { ...call(2, [user('Name a colour.')], 'Blue.<|im_end|>'), invocationIndex: 1 },
    ]
    const { divergences, causeCounts, calls: links, trajectories } = buildTrajectories(calls)
    expect(divergences).toEqual([])
    expect(Object.values(causeCounts).every((n) => n === 0)).toBe(true)
    expect(links.map((l) => [l.relation, l.previousCallIndex])).toEqual([
      ['first', null],
      ['extends', 0],
      ['first', null],
    ])
    expect(trajectories.map((t) => t.callIndices)).toEqual([[0, 1], [2]])
  })

  it('a retry after a multi-call turn drops the replaced call from the links and re-tags its bridge', () => {
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello.'), user('Tell me a joke.')]
    const calls = [
      call(0, m1, 'Hello.<|im_end|>'),
      call(1, m2, 'No.<|im_end|>'),
      { ...call(2, m2, 'Why did the chicken cross the road?<|im_end|>'), attempt: 2 },
    ]
    const { trajectories, excluded, calls: links } = buildTrajectories(calls)
    const t = trajectories[0]!
    expect(t.callIndices).toEqual([0, 2])
    expect(excluded).toEqual([expect.objectContaining({ callIndex: 1, supersededBy: 2 })])
    expect(links.map((l) => [l.callIndex, l.relation])).toEqual([
      [0, 'first'],
      [2, 'retry'],
    ])
    expect(t.segments.map((seg) => [seg.kind, seg.callIndex])).toEqual([
      ['prompt', 0],
      ['response', 0],
      ['prompt', 2],
      ['response', 2],
    ])
    expect(links[1]!.bridgeLength).toBe(t.segments[2]!.length)
  })

  it('trust-server drops the calls whose sampled ids the rebase cut (callIndices and rewards)', () => {
    const m1 = [user('Hi')]
    const m2 = [...m1, assistant('Hello.'), user('Joke?')]
    const m3 = [{ role: 'system' as const, content: 'Be brief.' }, ...m2, assistant('No.'), user('Why?')]
    const calls = [call(0, m1, 'Hello.<|im_end|>'), call(1, m2, 'No.<|im_end|>'), call(2, m3, 'Because.<|im_end|>')]
    const { trajectories, excluded } = buildTrajectories(calls, { onDivergence: 'trust-server' })
    const t = trajectories[0]!
    expect(t.segments.filter((seg) => seg.kind === 'response').map((seg) => seg.callIndex)).toEqual([2])
    expect(t.callIndices).toEqual([2])
    expect(excluded.map((e) => e.callIndex)).toEqual([0, 1])
    const [row] = toVerlRows(trajectories, { callRewards: { 0: 1, 1: 1, 2: 1 } })
    expect(row).toMatchObject({ reward_score: 1, extra_fields: { num_calls: 1 } })
  })

  describe('with a /detokenize server', () => {
    let server: Server
    let url: string
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = ''
        req.on('data', (c) => {
          body += c
        })
        req.on('end', () => {
          const { tokens } = JSON.parse(body) as { tokens: number[] }
          res.setHeader('content-type', 'application/json')
          res.end(JSON.stringify({ prompt: tok.decode(tokens) }))
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
    })
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })

    it('decodes windows and confirms retokenization through HTTP', async () => {
      const m1 = [user('Which SQL clause filters groups?')]
      const m2 = [...m1, assistant('HAVING filters groups.'), user('Thanks')]
      const sampled = [...encode('H'), ...encode('AVING'), ...encode(' filters groups.<|im_end|>')]
      const calls = [
        { ...call(0, m1, ''), tokenIds: sampled, logprobs: sampled.map(() => -0.1) },
        call(1, m2, 'Ok<|im_end|>'),
      ]
      const result = await buildTrajectoriesAsync(calls, {
        decoder: vllmDetokenizer({ baseUrl: url, model: 'Qwen/Qwen3-8B' }),
      })
      expect(result.divergences[0]!.cause).toBe('retokenization')
      expect(result.divergences[0]!.window!.before.length).toBeGreaterThan(0)
    })
  })
})

describe('vllmDetokenizer errors', () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 404
      res.end('{"object":"error","message":"The model `x` does not exist."}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('fails loudly with the status and never the Authorization header', async () => {
    const decoder = vllmDetokenizer({ baseUrl: url, model: 'x', headers: { authorization: 'Bearer sk-hidden' } })
    const error = await decoder.decode([1]).catch((e: unknown) => e as Error)
    expect(String(error)).toMatch(/detokenize failed with HTTP 404/)
    expect(String(error)).not.toContain('sk-hidden')
  })
})
