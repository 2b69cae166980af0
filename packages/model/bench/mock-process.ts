/**
 * The benchmark's server, run as a child process so the parent's CPU clock measures the client alone.
 * Prints one JSON line `{ "baseUrl": … }` when listening; exits when stdin closes.
 */
import { startMockVLLM } from '@strands-vllm/mock-server'

const TOKENS = Number(process.env.TOKENS ?? 20_000)
const INTERVAL = Number(process.env.INTERVAL ?? 1)
const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
const content = Array.from({ length: TOKENS }, (_, i) => ` ${words[i % words.length]}`).join('')

const server = await startMockVLLM({ policy: () => ({ content }), streamInterval: INTERVAL })
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl })}\n`)
process.stdin.resume()
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0))
})
