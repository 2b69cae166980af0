import { parseArgs } from 'node:util'
import { hasErrorMarker } from '@strands-vllm/tokenizer/internal'
import { MockVLLMError } from './errors.js'
import { parseFaults } from './faults.js'
import { calculatorPolicy } from './policies/calculator.js'
import { defaultPolicy } from './policies/default.js'
import type { MockVLLMOptions } from './types.js'

const usageMarker: unique symbol = Symbol.for('strands-vllm.error.MockCliUsageError')

/** A command line the CLI cannot run: one line on stderr, exit code 2. */
export class MockCliUsageError extends MockVLLMError {
  protected readonly [usageMarker] = true
  constructor(message: string) {
    super(message)
    this.name = 'MockCliUsageError'
  }
  static override isInstance(error: unknown): error is MockCliUsageError {
    return hasErrorMarker(error, usageMarker)
  }
}

export const USAGE = `strands-vllm-mock [--port 8000] [--host 127.0.0.1] [--policy default|calculator] [--model Qwen/Qwen3-8B]
  [--max-model-len 32768] [--stream-interval 1] [--seed 0] [--fault cut-stream:3,status:429]
  [--tool-parser hermes|qwen3_coder] [--no-tool-parser] [--help]`

/** What the command line asks for: help, or a server with these options. */
export type CliCommand = { help: true } | { help: false; port: number; host: string; options: MockVLLMOptions }

const OPTIONS = {
  port: { type: 'string', default: '8000' },
  host: { type: 'string', default: '127.0.0.1' },
  policy: { type: 'string', default: 'default' },
  model: { type: 'string' },
  'max-model-len': { type: 'string' },
  'stream-interval': { type: 'string' },
  seed: { type: 'string' },
  fault: { type: 'string' },
  'tool-parser': { type: 'string' },
  'no-tool-parser': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** Parse and check the arguments; every mistake is a {@link MockCliUsageError} naming the flag. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new MockCliUsageError(argumentProblem(error))
  }
  if (values.help) return { help: true }
  const port = integer('--port', values.port, 0, 65535)
  if (values.policy !== 'default' && values.policy !== 'calculator') {
    throw new MockCliUsageError(`--policy must be default or calculator, got ${JSON.stringify(values.policy)}`)
  }
  const toolParser = values['tool-parser']
  if (toolParser !== undefined && toolParser !== 'hermes' && toolParser !== 'qwen3_coder') {
    throw new MockCliUsageError(`--tool-parser must be hermes or qwen3_coder, got ${JSON.stringify(toolParser)}`)
  }
  if (toolParser !== undefined && values['no-tool-parser']) {
    throw new MockCliUsageError('--tool-parser and --no-tool-parser cannot be used together')
  }
  let faults: MockVLLMOptions['faults'] = []
  try {
    faults = values.fault ? parseFaults(values.fault) : []
  } catch (error) {
    throw new MockCliUsageError(`--fault: ${(error as Error).message}`)
  }
  const options: MockVLLMOptions = {
    port,
    host: values.host,
    policy: values.policy === 'calculator' ? calculatorPolicy() : defaultPolicy(),
    faults,
    toolParser: values['no-tool-parser'] ? null : (toolParser ?? 'hermes'),
  }
  if (values.model !== undefined) options.modelId = values.model
  if (values['max-model-len'] !== undefined) {
    options.maxModelLen = integer('--max-model-len', values['max-model-len'], 1, Number.MAX_SAFE_INTEGER)
  }
  if (values['stream-interval'] !== undefined) {
    options.streamInterval = integer('--stream-interval', values['stream-interval'], 1, Number.MAX_SAFE_INTEGER)
  }
  if (values.seed !== undefined) options.seed = integer('--seed', values.seed, 0, 2 ** 32 - 1)
  return { help: false, port, host: values.host, options }
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new MockCliUsageError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}

/** Node's parseArgs messages, shortened to the flag at fault. */
function argumentProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  const flag = /'(-[^' <]+)/.exec(message ?? '')?.[1]
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? message}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag ? `${flag} needs a value` : (message ?? 'invalid option value')
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message ?? '')?.[1] ?? ''}`.trim()
    default:
      return message ?? String(error)
  }
}
