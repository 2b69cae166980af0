import { describe, expect, it } from 'vitest'
import * as api from './index.js'

// The root entry is the package's public API: a new name here is an API change (README, changeset).
const EXPORTS = [
  'DEFAULT_SPAN_NAME',
  'DEFAULT_UNTRAINABLE_SPAN_NAME',
  'QWEN3_SPECIAL_IDS',
  'RecorderError',
  'StrandsSpanTracker',
  'TITO_CALL_SCHEMA',
  'TitoError',
  'TitoJsonlError',
  'TitoJsonlSink',
  'TokenInInvariantError',
  'TokenManager',
  'TokenManagerError',
  'Trajectory',
  'TrajectoryDivergenceError',
  'VLLMTokenRecorder',
  'buildTrajectories',
  'buildTrajectoriesAsync',
  'defaultRolloutIndex',
  'fromTitoRecords',
  'groupCalls',
  'parseTitoJsonl',
  'readTitoJsonl',
  'titoSpanAttributes',
  'toAgentLightningTriplets',
  'toSlimeSamples',
  'toTitoJsonl',
  'toTitoRecords',
  'toVerlRows',
  'vllmDetokenizer',
  'writeTitoJsonl',
]

describe('@strands-vllm/tito', () => {
  it('exports exactly its public API from the root entry', () => {
    expect(Object.keys(api).sort()).toEqual(EXPORTS)
  })
})
