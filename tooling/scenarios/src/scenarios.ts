import type { Scenario } from './scenario.js'
import { contextOverflow } from './scenarios/context-overflow.js'
import { logprobsAligned } from './scenarios/logprobs.js'
import { maxTokens } from './scenarios/max-tokens.js'
import { plainChat } from './scenarios/plain-chat.js'
import { serverInfo } from './scenarios/server-info.js'
import { streamMatchesNonStream } from './scenarios/stream-matches-non-stream.js'
import { tokenInMatchesRender } from './scenarios/token-in-matches-render.js'
import { tokenInRoundTrip } from './scenarios/token-in-round-trip.js'
import { tokenizeMatchesChat } from './scenarios/tokenize-matches-chat.js'
import { toolRoundTrip } from './scenarios/tool-round-trip.js'
import { validationSchemaViolation } from './scenarios/validation-schema-violation.js'
import { validationUnknownTool } from './scenarios/validation-unknown-tool.js'

/**
 * The one list both suites run: `mock.test.ts` against a fresh in-process mock per scenario, `tooling/live`
 * against `VLLM_BASE_URL` (all but `mockOnly`). Scenarios assert wire facts, never a model's wording.
 */
export const scenarios: readonly Scenario[] = [
  plainChat,
  streamMatchesNonStream,
  logprobsAligned,
  toolRoundTrip,
  validationUnknownTool,
  validationSchemaViolation,
  contextOverflow,
  maxTokens,
  tokenizeMatchesChat,
  serverInfo,
  tokenInRoundTrip,
  tokenInMatchesRender,
]
