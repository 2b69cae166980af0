import { defineProject } from 'vitest/config'
import { sharedTestOptions, workspaceAliases } from '../../vitest.shared.js'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { name: 'public-api', environment: 'node', include: ['src/**/*.test.ts'], ...sharedTestOptions },
})
