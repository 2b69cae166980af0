import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
