export { createScenarioContext, QWEN3_EOS_IDS, type ScenarioContextOptions, SUITE_SAMPLING } from './context.js'
export { type Scenario, type ScenarioContext, type ScenarioTransport, TRANSPORTS } from './scenario.js'
export { scenarios } from './scenarios.js'
