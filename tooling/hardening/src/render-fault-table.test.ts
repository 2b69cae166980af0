import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FAULT_CASES } from './fault-cases.js'
import { README_PATH, renderFaultTable, withFaultTable } from './render-fault-table.js'

/** Biome pads markdown tables; compare cells, not padding. */
const normalize = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/ *\| */g, '|').replace(/\|-+(?=\|)/g, '|-') : line))
    .join('\n')

describe('the README fault table', () => {
  it('is generated from FAULT_CASES and up to date (pnpm --filter @strands-vllm/hardening fault-table)', () => {
    const readme = readFileSync(README_PATH, 'utf8')
    expect(normalize(withFaultTable(readme))).toBe(normalize(readme))
  })

  it('has at least 25 rows, one per case', () => {
    expect(FAULT_CASES.length).toBeGreaterThanOrEqual(25)
    expect(renderFaultTable().split('\n')).toHaveLength(FAULT_CASES.length + 2)
  })
})
