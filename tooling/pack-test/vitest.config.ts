import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'pack-test',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
})
