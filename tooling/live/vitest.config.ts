import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.js'

/** Real models are slow: generous per-test time, while every request carries its own timeout so nothing hangs. */
export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'live',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
})
