import { describe, expect, it } from 'vitest'
import { MockCliUsageError, parseCliArgs } from './cli-args.js'

/** Every flag check without a process per case (src/cli.test.ts spawns the CLI for exit codes and stderr). */
describe('parseCliArgs', () => {
  it.each([
    [['--port', 'abc'], '--port must be an integer from 0 to 65535, got "abc"'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535, got "70000"'],
    [['--port=-1'], '--port must be an integer from 0 to 65535, got "-1"'],
    [['--port'], '--port needs a value'],
    [['--bogus'], 'unknown option --bogus'],
    [['serve'], 'unexpected argument serve'],
    [['--policy', 'clever'], '--policy must be default or calculator, got "clever"'],
    [['--tool-parser', 'xml'], '--tool-parser must be hermes or qwen3_coder, got "xml"'],
    [['--tool-parser', 'hermes', '--no-tool-parser'], '--tool-parser and --no-tool-parser cannot be used together'],
    [['--max-model-len', '0'], '--max-model-len must be an integer from 1 to 9007199254740991, got "0"'],
    [['--seed', '1.5'], '--seed must be an integer from 0 to 4294967295, got "1.5"'],
    [['--fault', 'nope'], '--fault: unknown fault "nope"'],
  ])('%j is a usage error', (args, message) => {
    let error: unknown
    try {
      parseCliArgs(args)
    } catch (e) {
      error = e
    }
    expect(MockCliUsageError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe(message)
  })

  it('reads a full command line', () => {
    const command = parseCliArgs(['--port', '0', '--tool-parser', 'qwen3_coder', '--seed', '7', '--fault', 'pause:1:2'])
    expect(command).toMatchObject({
      help: false,
      port: 0,
      host: '127.0.0.1',
      options: { port: 0, toolParser: 'qwen3_coder', seed: 7, faults: [{ type: 'pause', seconds: 1, times: 2 }] },
    })
    expect(parseCliArgs(['--help'])).toEqual({ help: true })
    expect(parseCliArgs(['--no-tool-parser'])).toMatchObject({ options: { toolParser: null } })
  })
})
