import { expect } from 'vitest'
import type { Scenario } from '../scenario.js'
import { servedModel } from '../server-models.js'

export const serverInfo: Scenario = {
  name: '/version and /v1/models shapes',
  description:
    '`GET /version` gives `{version}` (record it: it decides which server bugs apply) and `GET /v1/models` lists ' +
    'the served model with its integer `max_model_len` (the context budget).',
  async run(ctx) {
    const version = (await ctx.fetchJson('/version')) as { version?: unknown }
    expect(version.version).toEqual(expect.stringMatching(/^\d+\.\d+/))
    const model = await servedModel(ctx)
    expect(model.object).toBe('model')
    expect(model.owned_by).toBe('vllm')
  },
}
