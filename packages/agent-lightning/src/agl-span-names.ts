/** Names Agent Lightning v0.x's store and span adapter read (v0.3 `utils/otlp.py`, `adapter/triplet.py`). */

/** Span (or resource) attribute the store requires on every span; spans without it are dropped. */
export const AGL_ROLLOUT_ID = 'agentlightning.rollout_id'
/** Span (or resource) attribute the store requires with the rollout id. */
export const AGL_ATTEMPT_ID = 'agentlightning.attempt_id'
/** The reward span's name (`emitter/reward.py`). */
export const AGL_ANNOTATION_SPAN = 'agentlightning.annotation'
/** `agentlightning.reward.<i>.name` / `.value`: the reward dimensions on an annotation span; the first is primary. */
export const AGL_REWARD_PREFIX = 'agentlightning.reward'
/** What the adapter's `agent_match` reads on an ancestor span (Strands writes `gen_ai.agent.name`, which it ignores). */
export const AGL_AGENT_NAME = 'agent.name'
