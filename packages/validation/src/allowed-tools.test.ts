import { describe, expect, it } from 'vitest'
import { formatAllowedTools } from './allowed-tools.js'

describe('formatAllowedTools', () => {
  const names = ['calculator', 'search', 'weather', 'clock']

  it('lists every name in registry order when under the maximum', () => {
    expect(formatAllowedTools(names, 25)).toBe('[calculator, search, weather, clock]')
    expect(formatAllowedTools(names, 4)).toBe('[calculator, search, weather, clock]')
  })

  it('lists the first N names then the Python-style count', () => {
    expect(formatAllowedTools(names, 2)).toBe('[calculator, search, ... (+2 more)]')
    expect(formatAllowedTools(names, 1)).toBe('[calculator, ... (+3 more)]')
  })

  it('gives only the count when the maximum is 0 (no Python slicing quirks)', () => {
    expect(formatAllowedTools(names, 0)).toBe('[... (+4 more)]')
  })

  it('gives [] for an empty registry and lists all names with Infinity', () => {
    expect(formatAllowedTools([], 0)).toBe('[]')
    expect(formatAllowedTools(names, Number.POSITIVE_INFINITY)).toBe('[calculator, search, weather, clock]')
  })
})
