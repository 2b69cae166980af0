import { describe, expect, it } from 'vitest'
import { VLLMTokenInError } from '../errors.js'
import { buildCompletionsRequest } from './completions-request.js'

const prompt = [1, 2, 3]

describe('buildCompletionsRequest (token-in)', () => {
  it('the chat sampling in the completions dialect: int logprobs, explicit skip_special_tokens, ids on', () => {
    const warned: string[] = []
    const built = buildCompletionsRequest(
      {
        modelId: 'm',
        maxTokens: 64,
        temperature: 1,
        topP: 1,
        logprobs: true,
        params: {
          top_k: -1,
          seed: 7,
          stop: ['END'],
          stop_token_ids: [5],
          chat_template_kwargs: { enable_thinking: false },
          reasoning_effort: 'low',
          stream: false,
        },
      },
      prompt,
      undefined,
      (key) => warned.push(key)
    )
    expect(built.body).toEqual({
      top_k: -1,
      seed: 7,
      stop: ['END'],
      stop_token_ids: [5],
      model: 'm',
      prompt,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 1,
      top_p: 1,
      return_token_ids: true,
      logprobs: 0,
      skip_special_tokens: true,
    })
    expect(built.sampling).toEqual({
      top_k: -1,
      seed: 7,
      stop: ['END'],
      stop_token_ids: [5],
      max_tokens: 64,
      temperature: 1,
      top_p: 1,
      logprobs: 0,
      skip_special_tokens: true,
      chat_template_kwargs: { enable_thinking: false },
    })
    expect(built).toMatchObject({ logprobs: true, topLogprobs: false })
    expect(warned).toEqual(['token-in-param:reasoning_effort'])
  })

  it('top-n alternatives; non-streaming; a user skip_special_tokens and max_completion_tokens', () => {
    const built = buildCompletionsRequest(
      {
        modelId: 'm',
        logprobs: { top: 3 },
        stream: false,
        params: { skip_special_tokens: false, max_completion_tokens: 9 },
      },
      prompt,
      100,
      () => {}
    )
    expect(built.body).toMatchObject({ logprobs: 3, stream: false, skip_special_tokens: false, max_tokens: 9 })
    expect(built.body).not.toHaveProperty('stream_options')
    expect(built.body).not.toHaveProperty('max_completion_tokens')
    expect(built.topLogprobs).toBe(true)
  })

  it('max_tokens: the rest of the context window when unset, as chat mode; at least 1; an error when unknown', () => {
    expect(buildCompletionsRequest({ modelId: 'm' }, prompt, 100, () => {}).body.max_tokens).toBe(97)
    expect(buildCompletionsRequest({ modelId: 'm' }, prompt, 3, () => {}).body.max_tokens).toBe(1)
    expect(() => buildCompletionsRequest({ modelId: 'm' }, prompt, undefined, () => {})).toThrow(VLLMTokenInError)
  })
})
