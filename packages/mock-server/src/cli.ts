#!/usr/bin/env node
import { MockCliUsageError, parseCliArgs, USAGE } from './cli-args.js'
import { startMockVLLM } from './server.js'

/** Usage errors (bad flags, a port that cannot be used) exit 2; anything else that stops the server exits 1. */
const USAGE_EXIT = 2

async function main(): Promise<void> {
  const command = parseCliArgs(process.argv.slice(2))
  if (command.help) {
    console.log(USAGE)
    return
  }
  let server: Awaited<ReturnType<typeof startMockVLLM>>
  try {
    server = await startMockVLLM(command.options)
  } catch (error) {
    throw listenProblem(error, command.host, command.port)
  }
  console.log(`strands-vllm mock vLLM listening on ${server.baseUrl}`)
  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

/** The listen errors a user fixes by changing `--port` / `--host`, as one usage line. */
function listenProblem(error: unknown, host: string, port: number): unknown {
  const where = `${host}:${port}`
  switch ((error as { code?: string })?.code) {
    case 'EADDRINUSE':
      return new MockCliUsageError(
        `${where} is already in use; stop the other server or pick another --port (--port 0 picks a free one)`
      )
    case 'EACCES':
      return new MockCliUsageError(`cannot listen on ${where}: permission denied; use a --port above 1023`)
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new MockCliUsageError(`cannot listen on ${where}: --host ${host} is not an address of this machine`)
    default:
      return error
  }
}

main().catch((error: unknown) => {
  const usage = MockCliUsageError.isInstance(error)
  const message = (error as Error)?.message ?? String(error)
  console.error(`strands-vllm-mock: ${message}${usage ? ' (--help for usage)' : ''}`)
  process.exit(usage ? USAGE_EXIT : 1)
})
