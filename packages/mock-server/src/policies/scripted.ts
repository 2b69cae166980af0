import type { Policy, PolicyContext, PolicyOutput } from '../types.js'
import { defaultPolicy } from './default.js'
import { applyOptions, type PolicyOptions } from './options.js'

/** One rule of a {@link scriptedPolicy}. */
export interface ScriptRule {
  /**
   * Matched against the last message's text: the tool result when the conversation ends with one, else the
   * last user message (`on` picks one explicitly). A string matches as a substring.
   */
  match?: string | RegExp | ((ctx: PolicyContext) => boolean)
  on?: 'user' | 'tool' | 'last'
  /** Only when this many assistant turns are already in the conversation (0: the first answer). */
  turn?: number
  /** The output, or a function of the context and the regex match. */
  reply: PolicyOutput | ((ctx: PolicyContext, match: RegExpExecArray | null) => PolicyOutput)
}

export interface ScriptedPolicyOptions extends PolicyOptions {
  /** Used when no rule matches. Default {@link defaultPolicy}. */
  fallback?: Policy
}

/** Rules checked in order; the first match replies. For tests that need exact, known outputs. */
export function scriptedPolicy(rules: ScriptRule[], options: ScriptedPolicyOptions = {}): Policy {
  const fallback = options.fallback ?? defaultPolicy(options)
  return (ctx) => {
    for (const rule of rules) {
      const hit = matchRule(rule, ctx)
      if (hit === false) continue
      const out = typeof rule.reply === 'function' ? rule.reply(ctx, hit) : rule.reply
      return applyOptions(out, ctx, options)
    }
    return fallback(ctx)
  }
}

function matchRule(rule: ScriptRule, ctx: PolicyContext): RegExpExecArray | null | false {
  if (rule.turn !== undefined && rule.turn !== ctx.turn) return false
  const { match } = rule
  if (match === undefined) return null
  if (typeof match === 'function') return match(ctx) ? null : false
  const on = rule.on ?? 'last'
  const text =
    on === 'user' ? ctx.lastUserText : on === 'tool' ? ctx.lastToolResult : (ctx.lastToolResult ?? ctx.lastUserText)
  if (text === undefined) return false
  if (typeof match === 'string') return text.includes(match) ? null : false
  match.lastIndex = 0
  return match.exec(text) ?? false
}
