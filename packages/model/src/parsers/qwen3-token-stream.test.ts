import { loadQwen3Tokenizer, QWEN3_TOKENS } from '@strands-vllm/tokenizer'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WireTool } from '../wire.js'
import { comparable, run } from './__fixtures__/harness.js'
import { serverTextPieces } from './__fixtures__/server-pieces.js'
import { createResponseParser, type ResponseParserOptions } from './create-response-parser.js'

type Qwen3 = ReturnType<typeof loadQwen3Tokenizer>
let tokenizer: Qwen3

beforeAll(() => {
  tokenizer = loadQwen3Tokenizer()
})

const tools: WireTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: '',
      parameters: { type: 'object', properties: { term: { type: 'string' }, limit: { type: 'integer' } } },
    },
  },
]

/** Parses the ids the way token-in mode sees them: one server text piece per id, and as one decoded text. */
function parseIds(options: ResponseParserOptions, ids: readonly number[], thinking = true) {
  const pieces = serverTextPieces(tokenizer, ids)
  const text = tokenizer.decode(ids, { skipSpecialTokens: true })
  expect(pieces.join('')).toBe(text)
  const byId = run(createResponseParser(options, { tools, thinking }), pieces)
  const whole = run(createResponseParser(options, { tools, thinking }), [text])
  expect(comparable(byId)).toEqual(comparable(whole))
  return { byId, pieces }
}

const encode = (text: string): number[] => tokenizer.encode(text)

describe('real Qwen3 ids, fed one id at a time as the server streams them', () => {
  it('the tags are single added tokens that survive skip_special_tokens; <|im_end|> does not', () => {
    for (const [tag, id] of [
      ['<think>', QWEN3_TOKENS.thinkStart],
      ['</think>', QWEN3_TOKENS.thinkEnd],
      ['<tool_call>', QWEN3_TOKENS.toolCallStart],
      ['</tool_call>', QWEN3_TOKENS.toolCallEnd],
    ] as const) {
      expect(encode(tag)).toEqual([id])
      expect(serverTextPieces(tokenizer, [id])).toEqual([tag])
    }
    expect(serverTextPieces(tokenizer, [QWEN3_TOKENS.imEnd])).toEqual([''])
  })

  it('thinking, then a hermes call with compact JSON and a non-canonical split (H + AVING), then <|im_end|>', () => {
    const head = encode('<think>\nThe user asks about ')
    const having = [39, 83722] // `H` + `AVING`: the tokenizer itself would write HAV + ING
    expect(tokenizer.decode(having)).toBe('HAVING')
    const ids = [
      ...head,
      ...having,
      ...encode(
        ' clauses in SQL.\n</think>\n\n<tool_call>\n{"name":"lookup","arguments":{"term":"SQL HAVING","limit":3}}\n</tool_call>'
      ),
      QWEN3_TOKENS.imEnd,
    ]
    const { byId } = parseIds({ reasoning: 'qwen3', tools: 'hermes' }, ids)
    expect(byId).toMatchObject({
      reasoning: '\nThe user asks about HAVING clauses in SQL.\n',
      content: '\n\n',
      calls: [{ index: 0, name: 'lookup', arguments: '{"term":"SQL HAVING","limit":3}' }],
      order: ['reasoning', 'content', 'tool'],
    })
  })

  it('characters split across ids (emoji, CJK) reach the parser whole', () => {
    const ids = [...encode('<think>\n思考 🤔🧠\n</think>\n\n答案是 42 🎉'), QWEN3_TOKENS.imEnd]
    const { byId, pieces } = parseIds({ reasoning: 'qwen3', tools: 'hermes' }, ids)
    expect(pieces.some((p) => p === '')).toBe(true) // ids that only start a character add no text yet
    expect(byId).toMatchObject({ reasoning: '\n思考 🤔🧠\n', content: '\n\n答案是 42 🎉', calls: [] })
  })

  it('Qwen3.5 style: the prompt opened <think>, the model closes it and calls in qwen3_coder format', () => {
    const ids = [
      ...encode(
        'Need the docs.\n</think>\n\n<tool_call>\n<function=lookup>\n<parameter=term>\nGROUP BY\n</parameter>\n<parameter=limit>\n5\n</parameter>\n</function>\n</tool_call>'
      ),
      QWEN3_TOKENS.imEnd,
    ]
    const { byId } = parseIds({ reasoning: 'qwen3', tools: 'qwen3_coder' }, ids)
    expect(byId).toMatchObject({
      reasoning: 'Need the docs.\n',
      content: '\n\n',
      calls: [{ name: 'lookup', arguments: '{"term": "GROUP BY", "limit": 5}' }],
    })
  })

  it('thinking off: two calls and a closing sentence', () => {
    const call = (term: string) => `<tool_call>\n{"name": "lookup", "arguments": {"term": "${term}"}}\n</tool_call>`
    const ids = [...encode(`${call('a')}\n${call('b')}\nBoth sent.`), QWEN3_TOKENS.imEnd]
    const { byId } = parseIds({ reasoning: 'qwen3', tools: 'hermes' }, ids, false)
    expect(byId).toMatchObject({
      reasoning: null,
      content: 'Both sent.',
      calls: [
        { index: 0, arguments: '{"term": "a"}' },
        { index: 1, arguments: '{"term": "b"}' },
      ],
    })
  })
})
