import { defineProject } from 'vitest/config'
import { sharedTestOptions, workspaceAliases } from '../../vitest.shared.js'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    ...sharedTestOptions,
    name: 'example-agent-lightning-v1',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // The 32-process test spawns real rollout processes on a shared machine.
    testTimeout: 180_000,
  },
})
