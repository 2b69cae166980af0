import { defineProject } from 'vitest/config'

// No workspace aliases on purpose: the snippets resolve the packages' built dist, as a user's code does.
export default defineProject({
  test: {
    name: 'readme-snippets',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
