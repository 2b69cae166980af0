import { defineProject } from 'vitest/config'
import { sharedTestOptions, workspaceAliases } from '../../vitest.shared.js'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    ...sharedTestOptions,
    name: 'example-agent-lightning-spans',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
