import { MockVLLMError } from './errors.js'
import type { Fault, FaultType } from './types.js'

/** The header that selects faults per request: `name` or `name:arg`, comma-separated. */
export const FAULT_HEADER = 'x-mock-fault'

const needsArg: Partial<Record<FaultType, true>> = {
  'cut-stream': true,
  'close-mid-body': true,
  'malformed-chunk': true,
  status: true,
  slow: true,
  'context-variant': true,
}

/** Parse `cut-stream:3,status:429,drop-parser-ids` into faults. Throws on unknown names or bad arguments. */
export function parseFaults(header: string): Fault[] {
  const faults: Fault[] = []
  for (const raw of header.split(',')) {
    const item = raw.trim()
    if (!item) continue
    const colon = item.indexOf(':')
    const name = (colon < 0 ? item : item.slice(0, colon)) as FaultType
    const arg = colon < 0 ? undefined : item.slice(colon + 1)
    const num = arg === undefined ? Number.NaN : Number(arg)
    if (needsArg[name] && !Number.isInteger(num)) throw new MockVLLMError(`fault ${name} needs an integer argument`)
    faults.push(toFault(name, num, arg))
  }
  return faults
}

function toFault(name: FaultType, num: number, arg: string | undefined): Fault {
  switch (name) {
    case 'cut-stream':
    case 'close-mid-body':
    case 'malformed-chunk':
      return { type: name, afterChunks: num }
    case 'mid-stream-error':
      return { type: name, afterChunks: Number.isInteger(num) ? num : 1 }
    case 'status':
      if (num !== 429 && num !== 503 && num !== 500)
        throw new MockVLLMError(`fault status:${arg} must be 429, 503 or 500`)
      return { type: name, status: num }
    case 'slow':
      return { type: name, delayMs: num }
    case 'context-variant':
      if (num !== 1 && num !== 2 && num !== 3 && num !== 4) throw new MockVLLMError('fault context-variant takes 1-4')
      return { type: name, variant: num }
    case 'drop-parser-ids':
    case 'missing-prompt-ids':
    case 'flat-error-shape':
    case 'legacy-reasoning-field':
      return { type: name }
    default:
      throw new MockVLLMError(`unknown fault ${JSON.stringify(name)}`)
  }
}

/** The faults in force for one request, looked up by type. */
export class FaultSet {
  constructor(readonly all: readonly Fault[]) {}
  get<T extends FaultType>(type: T): Extract<Fault, { type: T }> | undefined {
    return this.all.find((f): f is Extract<Fault, { type: T }> => f.type === type)
  }
  has(type: FaultType): boolean {
    return this.all.some((f) => f.type === type)
  }
}
