import { fileURLToPath } from 'node:url'

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))
const tool = (name: string): string => fileURLToPath(new URL(`./tooling/${name}/src/index.ts`, import.meta.url))

/**
 * Tests import sibling packages from source, so a package's tests never wait for
 * (or race with) another package's build. The packed-tarball test covers dist.
 */
export const workspaceAliases: Record<string, string> = {
  '@strands-vllm/tokenizer': pkg('tokenizer'),
  '@strands-vllm/mock-server': pkg('mock-server'),
  '@strands-vllm/model': pkg('model'),
  '@strands-vllm/tito': pkg('tito'),
  '@strands-vllm/validation': pkg('validation'),
  '@strands-vllm/drift': pkg('drift'),
  // The subpath first: a bare-name alias would also capture `…/otlp` and turn it into `…/src/index.ts/otlp`.
  '@strands-vllm/agent-lightning/otlp': fileURLToPath(
    new URL('./packages/agent-lightning/src/otlp/index.ts', import.meta.url)
  ),
  '@strands-vllm/agent-lightning': pkg('agent-lightning'),
  '@strands-vllm/agl-gateway': tool('agl-gateway'),
  '@strands-vllm/agl-store': tool('agl-store'),
}

/** Timeouts for tests that start servers, agents or child processes (the root config's do not reach projects). */
export const sharedTestOptions = { testTimeout: 30_000, hookTimeout: 60_000 }
