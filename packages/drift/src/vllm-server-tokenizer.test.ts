import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServerTokenizerError, TokenizerSourceError } from './errors.js'
import { resolveTokenizer } from './resolve-tokenizer.js'
import { retokenizationDrift } from './retokenization-drift.js'
import { VLLMServerTokenizer } from './vllm-server-tokenizer.js'

/** A loopback server speaking vLLM's /tokenize, /detokenize and /v1/models with the real Qwen3 tokenizer. */
const local = loadQwen3Tokenizer()
const seen: { path: string; auth: string | undefined; body: unknown }[] = []
let server: Server
let url: string

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readJson(req)
    seen.push({ path: req.url ?? '', auth: req.headers.authorization, body })
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    }
    if (req.url === '/v1/models') return send(200, { object: 'list', data: [{ id: 'Qwen/Qwen3-8B' }] })
    if (body.model !== 'Qwen/Qwen3-8B') {
      return send(404, {
        error: { message: `The model \`${String(body.model)}\` does not exist.`, type: 'NotFoundError', code: 404 },
      })
    }
    if (req.url === '/tokenize') {
      const tokens = local.encode(String(body.prompt), { addSpecialTokens: body.add_special_tokens === true })
      return send(200, { count: tokens.length, max_model_len: 32768, tokens, token_strs: null })
    }
    if (req.url === '/detokenize') return send(200, { prompt: local.decode(body.tokens as number[]) })
    send(404, { error: { message: 'Not Found', type: 'NotFoundError', code: 404 } })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('VLLMServerTokenizer', () => {
  it('gives the same drift analysis as the local tokenizer, using only the server', async () => {
    const remote = new VLLMServerTokenizer({ baseUrl: `${url}/v1`, apiKey: 'sk-secret', eosTokenIds: [151645] })
    const r = await retokenizationDrift([39, 83722, 151645], remote)
    expect(r.reencoded.ids).toEqual([72239, 1718, 151645])
    expect(r.original.pieces).toEqual(['H', 'AVING', '<|im_end|>'])
    expect(r.withoutSpecial.reencoded.ids).toEqual([72239, 1718])
    expect(seen[0]).toMatchObject({ path: '/v1/models', auth: 'Bearer sk-secret' })
    expect(seen.find((s) => s.path === '/tokenize')?.body).toEqual({
      model: 'Qwen/Qwen3-8B',
      prompt: 'HAVING<|im_end|>',
      add_special_tokens: false,
    })
  })

  it('throws a typed error with vLLM message and status, never the key', async () => {
    const remote = new VLLMServerTokenizer({ baseUrl: url, model: 'other', apiKey: 'sk-secret' })
    const error = await remote.encode('x').catch((e: unknown) => e)
    expect(ServerTokenizerError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 404, url: `${url}/tokenize` })
    expect((error as Error).message).toBe(`POST ${url}/tokenize answered 404: The model \`other\` does not exist.`)
    expect(JSON.stringify(error)).not.toContain('sk-secret')
  })

  it('keeps credentials written into the URL out of its name and errors, and sends them as Basic auth', async () => {
    const port = new URL(url).port
    const remote = new VLLMServerTokenizer({ baseUrl: `http://user:KEY-s3cret@127.0.0.1:${port}/v1/` })
    expect(remote.name).toBe(url)
    expect(await remote.encode('HAVING')).toEqual([72239, 1718])
    expect(seen.at(-1)?.auth).toBe(`Basic ${Buffer.from('user:KEY-s3cret').toString('base64')}`)
    const wrong = new VLLMServerTokenizer({ baseUrl: `http://user:KEY-s3cret@127.0.0.1:${port}`, model: 'other' })
    const error = await wrong.encode('x').catch((e: unknown) => e)
    expect(ServerTokenizerError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe(`POST ${url}/tokenize answered 404: The model \`other\` does not exist.`)
    expect(`${JSON.stringify(error)} ${(error as Error).message}`).not.toContain('s3cret')
    const down = new VLLMServerTokenizer({ baseUrl: 'http://u:KEY-s3cret@127.0.0.1:9', model: 'm' })
    expect(down.name).toBe('http://127.0.0.1:9')
    expect(new VLLMServerTokenizer({ baseUrl: 'http://127.0.0.1:9/v1?api-key=KEY-s3cret' }).name).toBe(
      'http://127.0.0.1:9'
    )
    expect(String(await down.decode([1]).catch((e: unknown) => e))).not.toContain('s3cret')
    // an apiKey wins over URL credentials
    const both = new VLLMServerTokenizer({ baseUrl: `http://user:pw@127.0.0.1:${port}`, apiKey: 'sk-secret' })
    await both.encode('x')
    expect(seen.at(-1)?.auth).toBe('Bearer sk-secret')
  })

  it('reports an unreachable server as a typed error saying which URL and what to check', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const closed = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const remote = new VLLMServerTokenizer({ baseUrl: `http://127.0.0.1:${closed}`, model: 'm' })
    const error = await remote.decode([1]).catch((e: unknown) => e)
    expect(ServerTokenizerError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe(
      `cannot reach the tokenizer server at http://127.0.0.1:${closed} (POST /detokenize: ECONNREFUSED); check that vLLM is running there and that the URL is its base URL (http://host:8000, with or without /v1)`
    )
  })
})

describe('resolveTokenizer', () => {
  it('maps qwen3, URLs and paths; rejects what names no tokenizer', () => {
    expect(resolveTokenizer('qwen3')).toBe(local)
    expect(resolveTokenizer(`${url}/v1`)).toBeInstanceOf(VLLMServerTokenizer)
    expect(() => resolveTokenizer('/nonexistent/tokenizer.json')).toThrow(/tokenizer not found: \/nonexistent/)
    expect(TokenizerSourceError.isInstance(catchError(() => resolveTokenizer('/tmp')))).toBe(true)
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}
