import { type JSONSchema, type ToolSpec, tool } from '@strands-agents/sdk'

/** The calculator spec the tests use: a closed schema with a typed, bounded optional argument. */
export const calculatorSchema = {
  type: 'object',
  properties: {
    expression: { type: 'string', description: 'Arithmetic expression' },
    precision: { type: 'integer', minimum: 0, maximum: 10 },
  },
  required: ['expression'],
  additionalProperties: false,
} satisfies JSONSchema

export const calculatorSpec: ToolSpec = {
  name: 'calculator',
  description: 'Evaluate an arithmetic expression',
  inputSchema: calculatorSchema,
}

/** A real calculator tool on `calculatorSpec` that records each input it runs with in `ran` and answers 42. */
export function calculatorTool(ran: unknown[]) {
  return tool({
    ...calculatorSpec,
    callback: (input: unknown) => {
      ran.push(input)
      return '42'
    },
  })
}

export const searchSpec: ToolSpec = {
  name: 'search',
  description: 'Search the web',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1 },
      filters: {
        type: 'object',
        properties: {
          site: { type: 'string' },
          mode: { enum: ['fast', 'deep'] },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
        },
        required: ['mode'],
        additionalProperties: false,
      },
      limit: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    },
    required: ['query'],
  },
}
