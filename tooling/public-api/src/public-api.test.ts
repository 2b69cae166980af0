import * as agentLightning from '@strands-vllm/agent-lightning'
import * as agentLightningOtlp from '@strands-vllm/agent-lightning/otlp'
import * as drift from '@strands-vllm/drift'
import * as mockServer from '@strands-vllm/mock-server'
import * as mockServerInternal from '@strands-vllm/mock-server/internal'
import * as model from '@strands-vllm/model'
import * as modelInternal from '@strands-vllm/model/internal'
import * as tito from '@strands-vllm/tito'
import * as tokenizer from '@strands-vllm/tokenizer'
import * as tokenizerInternal from '@strands-vllm/tokenizer/internal'
import * as validation from '@strands-vllm/validation'
import { describe, expect, it } from 'vitest'

/**
 * The runtime names of every published entry point (types are checked by the README blocks and attw). Root
 * entries export what users need; helpers sit behind `./internal`. A name added, moved or dropped here is an API
 * change: say so in the README and a changeset.
 */
const ENTRIES: Array<[entry: string, api: object, names: string]> = [
  [
    '@strands-vllm/model',
    model,
    `
    INVALID_TOOL_INPUT_KEY InvalidToolInputGuard Qwen3ReasoningParser SESSION_STATE_KEY VLLMAbortedError
    VLLMConcurrentCallError VLLMConfigError VLLMConnectionError VLLMError VLLMGenerationAbortedError VLLMModel
    VLLMPauseBudgetExceededError VLLMRequestError VLLMServerError VLLMServerUnavailableError VLLMStreamError
    VLLMTokenInError createHermesToolParser createQwen3CoderToolParser createResponseParser getInvalidToolInput
    getVLLMResponseFields invalidToolInputMessage isContextOverflowMessage makeInvalidToolInput reasoningParsers
    toolParsers
    `,
  ],
  [
    '@strands-vllm/tito',
    tito,
    `
    DEFAULT_SPAN_NAME DEFAULT_UNTRAINABLE_SPAN_NAME QWEN3_SPECIAL_IDS RecorderError StrandsSpanTracker
    TITO_CALL_SCHEMA TitoError TitoJsonlError TitoJsonlSink TokenInInvariantError TokenManager
    TokenManagerError Trajectory TrajectoryDivergenceError VLLMTokenRecorder buildTrajectories
    buildTrajectoriesAsync defaultRolloutIndex fromTitoRecords groupCalls parseTitoJsonl readTitoJsonl
    titoSpanAttributes toAgentLightningTriplets toSlimeSamples toTitoJsonl toTitoRecords toVerlRows
    vllmDetokenizer writeTitoJsonl
    `,
  ],
  [
    '@strands-vllm/drift',
    drift,
    `
    DriftError DriftInputError QWEN3_CANONICAL_CASES ServerTokenizerError TokenizerSourceError
    VLLMServerTokenizer analyzeCalls driftVerdict parseCallsJsonl readCallsJsonl renderHtmlReport
    renderTerminalReport resolveTokenizer retokenizationDrift runCanonicalCases scanCalls shouldUseColor
    summarizeCalls
    `,
  ],
  [
    '@strands-vllm/validation',
    validation,
    `
    ToolCallValidator ToolSchemaCompileError VLLMToolValidationHooks VLLMValidationError
    ValidationOptionsError
    `,
  ],
  [
    '@strands-vllm/mock-server',
    mockServer,
    `
    FAULT_HEADER MockVLLMError MockVLLMRequestError calculatorPolicy connectOrStartMockVLLM defaultPolicy
    SQL_EPISODE evaluateArithmetic scriptedPolicy sqlEpisodePolicy startMockVLLM
    `,
  ],
  ['@strands-vllm/mock-server/internal', mockServerInternal, 'listenOnLoopback pyJsonDumps readRequestBody'],
  [
    '@strands-vllm/tokenizer',
    tokenizer,
    `
    ChatTemplate ChatTemplateError HfChatTokenizer QWEN3_DATA_SHA256 QWEN3_TOKENS loadQwen3Tokenizer
    readQwen3Data
    `,
  ],
  ['@strands-vllm/tokenizer/internal', tokenizerInternal, 'hasErrorMarker isNonNegativeInteger'],
  [
    '@strands-vllm/agent-lightning',
    agentLightning,
    `
    AGL_AGENT_NAME AGL_ANNOTATION_SPAN AGL_ATTEMPT_ID AGL_DEFAULT_MODEL_ID AGL_ENV_VARIABLES AGL_EXIT_CODES
    AGL_REWARD_PREFIX AGL_ROLLOUT_ID AgentLightningError AglAuthError AglCancelledError AglConfigError
    AglEnvError AglExportError AglNotFoundError AglRolloutSpanProcessor AglServerClient AglServerError
    ROLLOUT_ERROR_EVENT SIGNAL_EXIT_CODES TITO_CALLS_EVENT aglExitCode aglModelConfig createAglModel
    currentAglRollout describeAglFailure emitAglReward hasAglEnv readAglEnv runAglRollout withAglRollout
    `,
  ],
  ['@strands-vllm/agent-lightning/otlp', agentLightningOtlp, 'describeExportFailures setupAglTracing'],
  [
    '@strands-vllm/model/internal',
    modelInternal,
    `
    TokenCapture formatMessages formatTools hasErrorMarker isNonNegativeInteger readSSEBatches redact
    splitUrlCredentials withoutCredentials
    `,
  ],
]

describe('public API', () => {
  it.each(ENTRIES)('%s exports exactly its listed names', (_, api, names) => {
    expect(Object.keys(api).sort()).toEqual(names.split(/\s+/).filter(Boolean).sort())
  })
})

/** Every exported error class, by the entry that exports it. */
function errorClasses(): Array<[entry: string, name: string]> {
  const out: Array<[string, string]> = []
  for (const [entry, api] of ENTRIES) {
    for (const [name, value] of Object.entries(api)) {
      if (typeof value === 'function' && value.prototype instanceof Error) out.push([entry, name])
    }
  }
  return out
}

describe('error markers', () => {
  it('no two packages export an error class of the same name (markers are `Symbol.for(strands-vllm.error.<Name>)`)', () => {
    const seen = new Map<string, string>()
    for (const [entry, name] of errorClasses()) {
      const other = seen.get(name)
      expect(other, `${name} is exported by ${other} and ${entry}`).toBeUndefined()
      seen.set(name, entry)
    }
  })

  it("the mock's request error is not the model's: isInstance never confuses the two", () => {
    const mockError = new mockServer.MockVLLMRequestError(400, 'bad request')
    expect(model.VLLMRequestError.isInstance(mockError)).toBe(false)
    expect(mockServer.MockVLLMRequestError.isInstance(mockError)).toBe(true)
  })
})
