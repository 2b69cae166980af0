export { exactFields } from './exact-fields.js'
export { installGlobalTracing } from './global-tracing.js'
export { ScriptedModel, type ScriptedModelConfig, type ScriptedTurn } from './scripted-model.js'
export { addTool, testAgent } from './test-agent.js'
