import { expect } from 'vitest'
import type { ScenarioContext } from './scenario.js'

/** One entry of vLLM's `GET /v1/models`. */
export interface ServedModel {
  id: string
  object: string
  owned_by?: string
  max_model_len: number
}

/** The served model's entry of `GET /v1/models` (asserted present, with an integer `max_model_len`). */
export async function servedModel(ctx: ScenarioContext): Promise<ServedModel> {
  const list = (await ctx.fetchJson('/v1/models')) as { object?: unknown; data?: ServedModel[] }
  expect(list.object).toBe('list')
  const entry = list.data?.find((m) => m.id === ctx.target.modelId)
  expect(entry, `model ${ctx.target.modelId} in /v1/models`).toBeDefined()
  expect(Number.isInteger(entry?.max_model_len) && (entry?.max_model_len ?? 0) > 0).toBe(true)
  return entry as ServedModel
}
