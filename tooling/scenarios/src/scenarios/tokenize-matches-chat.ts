import { expect } from 'vitest'
import type { Scenario } from '../scenario.js'

interface WithPromptIds {
  prompt_token_ids?: number[] | null
}

export const tokenizeMatchesChat: Scenario = {
  name: '/tokenize with messages equals the chat prompt_token_ids',
  description:
    'For a plain conversation (system + user, same chat_template_kwargs), `POST /tokenize` with messages returns ' +
    'the ids a chat completion reports as prompt_token_ids: the offline way to budget or bridge a prompt.',
  async run(ctx) {
    const messages = [
      { role: 'system' as const, content: 'You are a terse assistant.' },
      { role: 'user' as const, content: 'What is the capital of France?' },
    ]
    const chat = (await ctx.client().chat.completions.create({
      model: ctx.target.modelId,
      messages,
      ...ctx.sampling,
      max_tokens: 1,
      ...{ return_token_ids: true },
    })) as unknown as WithPromptIds
    const tokenized = (await ctx.fetchJson('/tokenize', {
      model: ctx.target.modelId,
      messages,
      add_generation_prompt: true,
      chat_template_kwargs: ctx.sampling.chat_template_kwargs,
    })) as { count?: number; tokens?: number[]; max_model_len?: number }
    expect(chat.prompt_token_ids?.length ?? 0).toBeGreaterThan(0)
    expect(tokenized.tokens).toEqual(chat.prompt_token_ids)
    expect(tokenized.count).toBe(tokenized.tokens?.length)
  },
}
