/**
 * What verl, slime and Agent Lightning v0.3 accept, written from `reference/trainer-formats.md` (their classes'
 * required fields and types, and the rules their loaders and rollout checks apply), as zod schemas plus the
 * semantic checks a schema cannot say. Tests validate every export with these.
 */
import { z } from 'zod'

const ids = z.array(z.number().int().nonnegative())
const bits = z.array(z.union([z.literal(0), z.literal(1)]))

/** verl `AgentLoopOutput` (pydantic; extra keys are ignored, `metrics` is required). */
export const verlAgentLoopOutput = z.object({
  prompt_ids: ids,
  response_ids: ids,
  response_mask: bits,
  response_logprobs: z.array(z.number()).nullable().optional(),
  routed_experts: z.unknown().optional(),
  multi_modal_data: z.record(z.string(), z.unknown()).nullable().optional(),
  reward_score: z.number().nullable().optional(),
  num_turns: z.number().int().nonnegative(),
  metrics: z.object({
    generate_sequences: z.number().nonnegative(),
    tool_calls: z.number().nonnegative(),
    num_preempted: z.number().int(),
  }),
  extra_fields: z.record(z.string(), z.unknown()),
})

/** slime `Sample.from_dict`: `status` must be a `Sample.Status` value; fields are the dataclass's. */
export const slimeSample = z.object({
  group_index: z.number().int().nullable(),
  index: z.number().int().nullable(),
  prompt: z.union([z.string(), z.array(z.record(z.string(), z.string()))]),
  tokens: ids,
  response: z.string(),
  response_length: z.number().int().nonnegative(),
  label: z.string().nullable(),
  reward: z.union([z.number(), z.record(z.string(), z.unknown())]).nullable(),
  loss_mask: bits.nullable(),
  rollout_log_probs: z.array(z.number()).nullable(),
  status: z.enum(['pending', 'completed', 'truncated', 'aborted', 'failed']),
  rollout_id: z.number().int(),
  non_generation_time: z.number().nonnegative(),
  metadata: z.record(z.string(), z.unknown()),
})

/** One OpenAI `logprobs.content` entry, the shape Agent Lightning's code indexes (`prob["logprob"]`). */
const logprobEntry = z.object({ token: z.string(), logprob: z.number() })

/**
 * Agent Lightning triplet as its span adapter writes it: `prompt.image_urls` present (its verl bridge defaults it
 * to `[]`), `response.logprobs` a list of entries when present (never null, never a float list).
 */
export const aglTriplet = z.object({
  prompt: z.object({ token_ids: ids, image_urls: z.array(z.string()), raw_content: z.unknown().optional() }),
  response: z.object({
    token_ids: ids,
    logprobs: z.array(logprobEntry).optional(),
    raw_content: z.unknown().optional(),
  }),
  reward: z.number().nullable(),
  metadata: z.object({
    request: z.record(z.string(), z.unknown()),
    response: z.record(z.string(), z.unknown()),
    response_id: z.string().nullable(),
    agent_name: z.string(),
  }),
})

/** Rules verl applies that the schema cannot express. Returns the broken ones (empty: all hold). */
export function verlBatchProblems(
  rows: readonly { response_ids: number[]; response_mask: number[]; response_logprobs?: number[] | null }[]
): string[] {
  const problems: string[] = []
  rows.forEach((r, i) => {
    if (r.response_mask.length !== r.response_ids.length) problems.push(`row ${i}: mask length ≠ response length`)
    if (r.response_logprobs && r.response_logprobs.length !== r.response_ids.length)
      problems.push(`row ${i}: logprobs length ≠ response length`)
    r.response_logprobs?.forEach((lp, k) => {
      if (r.response_mask[k] === 0 && lp !== 0) problems.push(`row ${i}: masked logprob at ${k} is not 0.0`)
    })
  })
  // `_postprocess` decides from the first row whether to stack logprobs.
  const withLogprobs = rows.filter((r) => Array.isArray(r.response_logprobs)).length
  if (withLogprobs !== 0 && withLogprobs !== rows.length) problems.push('logprobs present on some rows only')
  return problems
}

/** slime's rollout rules: tokens = prompt + response, per-response arrays, one integer id per rollout. */
export function slimeProblems(
  samples: readonly {
    tokens: number[]
    response_length: number
    loss_mask: number[] | null
    rollout_log_probs: number[] | null
    rollout_id: number
  }[],
  prompts: readonly (readonly number[])[],
  rolloutOf: readonly string[]
): string[] {
  const problems: string[] = []
  samples.forEach((s, i) => {
    const promptLength = s.tokens.length - s.response_length
    if (s.tokens.slice(0, promptLength).join() !== prompts[i]!.join())
      problems.push(`sample ${i}: tokens ≠ prompt + response`)
    if (s.loss_mask && s.loss_mask.length !== s.response_length)
      problems.push(`sample ${i}: loss_mask ≠ response_length`)
    if (s.rollout_log_probs && s.rollout_log_probs.length !== s.response_length)
      problems.push(`sample ${i}: rollout_log_probs ≠ response_length`)
  })
  const ids = new Map<string, Set<number>>()
  for (const [i, s] of samples.entries()) {
    ids.set(rolloutOf[i]!, (ids.get(rolloutOf[i]!) ?? new Set<number>()).add(s.rollout_id))
  }
  for (const [rollout, set] of ids)
    if (set.size !== 1) problems.push(`rollout ${rollout}: samples carry ${set.size} rollout ids`)
  const all = [...ids.values()].map((s) => [...s][0])
  if (new Set(all).size !== all.length) problems.push('two rollouts share one rollout_id')
  return problems
}
