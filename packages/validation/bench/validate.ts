/**
 * Validations per second for a typical tool call, each case measured side by side (interleaved,
 * same process) with the baseline of calling the same ajv-compiled validator directly.
 * Run: `pnpm bench`.
 */
import { Agent, BeforeToolCallEvent, NullConversationManager, tool } from '@strands-agents/sdk'
import { makeInvalidToolInput } from '@strands-vllm/model'
import { ScriptedModel } from '@strands-vllm/testing'
import Ajv from 'ajv'
import { ToolCallValidator, VLLMToolValidationHooks } from '../src/index.js'
import { calculatorSchema, calculatorSpec } from '../src/testing/tools.js'

const ROUNDS = 7
const ITERATIONS = 100_000

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, addUsedSchema: false, logger: false })
const rawValidate = ajv.compile(calculatorSchema)
const validator = new ToolCallValidator()
const allowedToolNames = ['calculator', 'search', 'weather']

const cases: Array<[string, unknown, string]> = [
  ['valid', { expression: '2*(3+4)', precision: 2 }, 'calculator'],
  ['unknown tool', { expression: '1' }, 'fake_tool'],
  ['not valid JSON', makeInvalidToolInput('{"expression": ', 'x'), 'calculator'],
  ['must be an object', [1, 2], 'calculator'],
  ['missing argument', {}, 'calculator'],
  ['unknown argument', { expression: '1', invalid_param: 1 }, 'calculator'],
  ['schema violation', { expression: 7, precision: 11 }, 'calculator'],
]

let sink = 0
function time(fn: () => void): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function compare(label: string, subject: () => void, baseline: () => void): void {
  for (let i = 0; i < 2_000; i++) {
    subject()
    baseline()
  }
  const a: number[] = []
  const b: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    a.push(time(subject))
    b.push(time(baseline))
  }
  const rate = ITERATIONS / median(a)
  const baseRate = ITERATIONS / median(b)
  const perCall = (1e6 / rate).toFixed(2)
  console.log(
    `${label.padEnd(20)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} calls/s  ${perCall.padStart(6)} µs/call` +
      `   ajv direct ${Math.round(baseRate).toLocaleString('en-US').padStart(12)} calls/s   ratio ${(baseRate / rate).toFixed(2)}x`
  )
}

console.log(
  `ToolCallValidator.validate vs. the same ajv validator called directly; ratio = ajv rate / ours (median of ${ROUNDS} interleaved rounds × ${ITERATIONS})`
)
for (const [label, input, name] of cases) {
  const toolSpec = name === 'calculator' ? calculatorSpec : undefined
  compare(
    label,
    () => {
      sink += validator.validate({ name, input, toolSpec, allowedToolNames })?.message.length ?? 1
    },
    () => {
      sink += rawValidate(input) ? 1 : 0
    }
  )
}

// The whole hook path: a real BeforeToolCallEvent against a real agent's registry.
const calculator = tool({ name: 'calculator', description: 'calc', inputSchema: calculatorSchema, callback: () => '1' })
const agent = new Agent({
  model: new ScriptedModel([]),
  tools: [calculator],
  printer: false,
  conversationManager: new NullConversationManager(),
})
const hooks = new VLLMToolValidationHooks()
const input = { expression: '2*(3+4)', precision: 2 }
compare(
  'hook, valid call',
  () => {
    const event = new BeforeToolCallEvent({
      agent,
      toolUse: { name: 'calculator', toolUseId: 't', input },
      tool: calculator,
      invocationState: {},
    })
    hooks.beforeToolCall(event)
    sink += event.cancel === false ? 1 : 0
  },
  () => {
    sink += rawValidate(input) ? 1 : 0
  }
)
if (sink === 0) console.log('(unreachable)')
