import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadQwen3Tokenizer, QWEN3_DATA_SHA256, QWEN3_TOKENS, readQwen3Data } from './qwen3.js'
import type { ChatTemplateMessage } from './tokenizer.js'

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

describe('shipped Qwen3 data', () => {
  it('matches the pinned SHA-256 of tokenizer.json and tokenizer_config.json', () => {
    expect(readQwen3Data().sha256).toEqual(QWEN3_DATA_SHA256)
  })
})

describe('loadQwen3Tokenizer', () => {
  const tok = loadQwen3Tokenizer()

  it('encodes known strings to the ids the Rust tokenizer gives', () => {
    expect(tok.encode('Hello world')).toEqual([9707, 1879])
    expect(tok.encode('HAVING')).toEqual([72239, 1718])
    expect(tok.encode(' HAVING')).toEqual([472, 83722])
    expect(tok.encode('<|im_start|>user\nhi<|im_end|>')).toEqual([151644, 872, 198, 6023, 151645])
  })

  it('decodes losslessly and knows which ids are special', () => {
    expect(tok.decode([39, 83722])).toBe('HAVING')
    expect(tok.decode([151644, 872, 198])).toBe('<|im_start|>user\n')
    expect(tok.decode([151644, 872, 198], { skipSpecialTokens: true })).toBe('user\n')
    expect(tok.isSpecial(QWEN3_TOKENS.imEnd)).toBe(true)
    expect(tok.isSpecial(QWEN3_TOKENS.thinkStart)).toBe(false)
    expect(tok.idToToken(39)).toBe('H')
    expect(tok.tokenToId('AVING')).toBe(83722)
    expect(tok.eosTokenIds).toContain(QWEN3_TOKENS.imEnd)
  })

  it('is loaded once per process', () => {
    expect(loadQwen3Tokenizer()).toBe(tok)
  })
})

describe('Qwen3 chat template', () => {
  const tok = loadQwen3Tokenizer()
  const conv = JSON.parse(fixture('conversation.json')) as {
    messages: ChatTemplateMessage[]
    tools: Record<string, unknown>[]
  }

  it('renders byte-identically to Python jinja2 configured like transformers', () => {
    expect(tok.renderChat(conv.messages, { tools: conv.tools })).toBe(fixture('conversation.rendered.txt'))
    expect(tok.renderChat(conv.messages, { tools: conv.tools, chatTemplateKwargs: { enable_thinking: false } })).toBe(
      fixture('conversation.no-thinking.rendered.txt')
    )
  })

  it('tokenizes the rendered prompt', () => {
    const ids = tok.encodeChat(conv.messages, { tools: conv.tools })
    expect(ids.slice(0, 3)).toEqual([151644, 8948, 198])
    expect(ids.slice(-3)).toEqual([151644, 77091, 198])
    expect(tok.decode(ids)).toBe(fixture('conversation.rendered.txt'))
  })

  it('continues a final assistant message without closing it', () => {
    const text = tok.renderChat(
      [
        { role: 'user', content: 'Count to three.' },
        { role: 'assistant', content: 'One, two,' },
      ],
      { continueFinalMessage: true }
    )
    expect(text.endsWith('One, two,')).toBe(true)
    expect(() =>
      tok.renderChat([{ role: 'user', content: 'x' }], { continueFinalMessage: true, addGenerationPrompt: true })
    ).toThrow(/cannot both be true/)
  })
})
