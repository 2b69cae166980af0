import { fileURLToPath } from 'node:url'

const pkg = (name: string, entry = 'index'): string =>
  fileURLToPath(new URL(`./packages/${name}/src/${entry}.ts`, import.meta.url))
const tool = (name: string): string => fileURLToPath(new URL(`./tooling/${name}/src/index.ts`, import.meta.url))

/**
 * Tests import sibling packages from source, so a package's tests never wait for
 * (or race with) another package's build. The packed-tarball test covers dist.
 */
export const workspaceAliases: Record<string, string> = {
  // Subpaths before their package: a bare-name alias would also capture `…/internal` and turn it into
  // `…/src/index.ts/internal`.
  '@strands-vllm/tokenizer/internal': pkg('tokenizer', 'internal/index'),
  '@strands-vllm/tokenizer': pkg('tokenizer'),
  '@strands-vllm/mock-server/internal': pkg('mock-server', 'internal/index'),
  '@strands-vllm/mock-server': pkg('mock-server'),
  '@strands-vllm/model/internal': pkg('model', 'internal/index'),
  '@strands-vllm/model': pkg('model'),
  '@strands-vllm/tito': pkg('tito'),
  '@strands-vllm/validation': pkg('validation'),
  '@strands-vllm/drift': pkg('drift'),
  '@strands-vllm/agent-lightning/otlp': pkg('agent-lightning', 'otlp/index'),
  '@strands-vllm/agent-lightning': pkg('agent-lightning'),
  '@strands-vllm/agl-gateway': tool('agl-gateway'),
  '@strands-vllm/agl-store': tool('agl-store'),
  '@strands-vllm/testing': tool('testing'),
}

/** Timeouts for tests that start servers, agents or child processes (the root config's do not reach projects). */
export const sharedTestOptions = { testTimeout: 30_000, hookTimeout: 60_000 }
