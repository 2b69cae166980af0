import type { Policy, PolicyContext, ToolCallFormat } from '../types.js'
import { scriptedPolicy } from './scripted.js'

/** The episode's two user turns and the `lookup` tool's answer, for the agent that drives it. */
export const SQL_EPISODE = {
  user1: 'What does HAVING do in SQL?',
  user2: 'thanks!',
  toolName: 'lookup',
  toolResult: 'HAVING filters groups after GROUP BY.',
} as const

export interface SqlEpisodePolicyOptions {
  /** How the tool call is written: Qwen3's hermes JSON (default) or the qwen3_coder XML. */
  toolFormat?: ToolCallFormat
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
const pick = (ctx: PolicyContext): string => WORDS[Math.floor(ctx.rng() * WORDS.length)] ?? 'alpha'

/**
 * A two-turn episode that meets every history rewrite of the Qwen3 template: thinking on each turn, a `lookup` tool
 * call in compact JSON with a non-canonical `H`+`AVING` split, the answer after the tool result, then a second user
 * turn. The sampled words come from the mock's rng, which is seeded by the conversation (never the endpoint), so the
 * same episode samples the same ids in chat mode and in token-in mode — the comparison the token-in tests make.
 */
export function sqlEpisodePolicy(options: SqlEpisodePolicyOptions = {}): Policy {
  return scriptedPolicy(
    [
      {
        turn: 0,
        match: 'HAVING',
        reply: {
          reasoning: 'They ask about HAVING; look it up.',
          toolCalls: [{ name: SQL_EPISODE.toolName, arguments: { term: 'HAVING', limit: 2 } }],
        },
      },
      {
        on: 'tool',
        match: 'filters',
        reply: (ctx) => ({
          reasoning: `The tool answered; say it with ${pick(ctx)}.`,
          content: `HAVING filters groups (${pick(ctx)}, turn ${ctx.turn}).`,
        }),
      },
      {
        on: 'user',
        match: 'thanks',
        reply: (ctx) => ({ reasoning: 'Be polite.', content: `You are welcome, ${pick(ctx)} (turn ${ctx.turn}).` }),
      },
    ],
    {
      compactToolJson: true,
      nonCanonical: { HAVING: ['H', 'AVING'] },
      ...(options.toolFormat ? { toolFormat: options.toolFormat } : {}),
    }
  )
}
