#!/usr/bin/env node
// Committed launcher for `strands-vllm-mock`. Package managers link `bin` entries at install time,
// before a fresh clone has built dist/, so the linked file must exist in git; the CLI is dist/cli.js.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  console.error('strands-vllm-mock: dist/cli.js is missing; in a clone of the repository run `pnpm build` first')
  process.exit(1)
}
await import(cli.href)
