import { afterAll, describe, expect, it } from 'vitest'
import { startMockVLLM } from './server.js'
import { connectOrStartMockVLLM } from './vllm-target.js'

describe('connectOrStartMockVLLM', () => {
  const closers: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const close of closers) await close()
  })

  it('starts an in-process mock when VLLM_BASE_URL is unset', async () => {
    const target = await connectOrStartMockVLLM({ env: {} })
    closers.push(target.close)
    expect(target.kind).toBe('mock')
    expect(target.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(target.modelId).toBe('Qwen/Qwen3-8B')
    expect(target.mock?.requests).toEqual([])
    expect(target.description).toContain('mock vLLM')
  })

  it('uses the live server from the environment and asks it for the model name', async () => {
    const server = await startMockVLLM({ modelId: 'served-model' })
    closers.push(server.close)
    const target = await connectOrStartMockVLLM({ env: { VLLM_BASE_URL: `${server.baseUrl}/` } })
    expect(target).toMatchObject({ kind: 'live', baseUrl: server.baseUrl, modelId: 'served-model', apiKey: 'EMPTY' })
    expect(target.mock).toBeUndefined()
    const pinned = await connectOrStartMockVLLM({ env: { VLLM_BASE_URL: server.baseUrl, VLLM_MODEL_ID: 'pinned' } })
    expect(pinned.modelId).toBe('pinned')
  })

  it('says clearly when the live server is unreachable', async () => {
    const server = await startMockVLLM()
    const url = server.baseUrl
    await server.close()
    await expect(connectOrStartMockVLLM({ env: { VLLM_BASE_URL: url } })).rejects.toThrow(/not reachable/)
  })
})
