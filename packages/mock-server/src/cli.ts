#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { parseFaults } from './faults.js'
import { calculatorPolicy } from './policies/calculator.js'
import { defaultPolicy } from './policies/default.js'
import { startMockVLLM } from './server.js'

const USAGE = `strands-vllm-mock [--port 8000] [--host 127.0.0.1] [--policy default|calculator] [--model Qwen/Qwen3-8B]
  [--max-model-len 32768] [--stream-interval 1] [--seed 0] [--fault cut-stream:3,status:429] [--no-tool-parser]`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      policy: { type: 'string', default: 'default' },
      model: { type: 'string' },
      'max-model-len': { type: 'string' },
      'stream-interval': { type: 'string' },
      seed: { type: 'string' },
      fault: { type: 'string' },
      'no-tool-parser': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (values.policy !== 'default' && values.policy !== 'calculator')
    throw new Error(`unknown --policy ${values.policy}`)
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))
  const options = {
    port: Number(values.port),
    host: values.host,
    policy: values.policy === 'calculator' ? calculatorPolicy() : defaultPolicy(),
    faults: values.fault ? parseFaults(values.fault) : [],
    toolParser: values['no-tool-parser'] ? null : ('hermes' as const),
    ...(values.model === undefined ? {} : { modelId: values.model }),
    ...(num(values['max-model-len']) === undefined ? {} : { maxModelLen: Number(values['max-model-len']) }),
    ...(num(values['stream-interval']) === undefined ? {} : { streamInterval: Number(values['stream-interval']) }),
    ...(num(values.seed) === undefined ? {} : { seed: Number(values.seed) }),
  }
  const server = await startMockVLLM(options)
  console.log(`strands-vllm mock vLLM listening on ${server.baseUrl}`)
  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`strands-vllm-mock: ${(error as Error)?.message ?? String(error)}\n${USAGE}`)
  process.exit(1)
})
