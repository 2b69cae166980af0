import { describe, expect, it } from 'vitest'
import { closestToolName, editDistance } from './closest-tool.js'

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as 1', () => {
    expect(editDistance('calculator', 'calculator')).toBe(0)
    expect(editDistance('calculatr', 'calculator')).toBe(1)
    expect(editDistance('calculatorr', 'calculator')).toBe(1)
    expect(editDistance('calculater', 'calculator')).toBe(1)
    expect(editDistance('claculator', 'calculator')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('stops early past the limit', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3)
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3)
  })
})

describe('closestToolName', () => {
  const allowed = ['calculator', 'search', 'web_search']

  it('suggests a close name, ignoring case', () => {
    expect(closestToolName('calculater', allowed)).toBe('calculator')
    expect(closestToolName('Calculator', allowed)).toBe('calculator')
    expect(closestToolName('web-search', allowed)).toBe('web_search')
  })

  it('gives nothing when no name is close relative to the length', () => {
    expect(closestToolName('print', allowed)).toBeUndefined()
    expect(closestToolName('calc', allowed)).toBeUndefined()
    expect(closestToolName('x', [])).toBeUndefined()
  })

  it('breaks ties by registry order', () => {
    expect(closestToolName('cat', ['bat', 'hat'])).toBe('bat')
    expect(closestToolName('cat', ['hat', 'bat'])).toBe('hat')
  })
})
