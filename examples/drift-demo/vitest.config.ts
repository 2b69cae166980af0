import { defineProject } from 'vitest/config'
import { sharedTestOptions, workspaceAliases } from '../../vitest.shared.js'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { ...sharedTestOptions, name: 'drift-demo', environment: 'node', include: ['src/**/*.test.ts'] },
})
