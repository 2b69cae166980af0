import { MockVLLMError } from './errors.js'
import type { ContextVariant, Fault, FaultType } from './types.js'

/** The header that selects faults per request: `name` or `name:arg[:arg]`, comma-separated. */
export const FAULT_HEADER = 'x-mock-fault'

const CONTEXT_VARIANTS: readonly ContextVariant[] = [1, 2, 3, 4, 5, 6, 7, 8]

/** Parse `cut-stream:3,status:429,pause:2:3` into faults. Throws on unknown names or bad arguments. */
export function parseFaults(header: string): Fault[] {
  const faults: Fault[] = []
  for (const raw of header.split(',')) {
    const item = raw.trim()
    if (item) faults.push(parseFault(item))
  }
  return faults
}

function parseFault(item: string): Fault {
  const [name = '', ...args] = item.split(':')
  const arg = args[0]
  const int = (what = 'an integer argument'): number => {
    const num = Number(arg)
    if (arg === undefined || arg === '' || !Number.isInteger(num) || num < 0)
      throw new MockVLLMError(`fault ${name} needs ${what}`)
    return num
  }
  switch (name as FaultType) {
    case 'cut-stream':
    case 'close-mid-body':
    case 'malformed-chunk':
      return { type: name as 'cut-stream', afterChunks: int() }
    case 'mid-stream-error':
      return { type: 'mid-stream-error', afterChunks: arg === undefined ? 1 : int() }
    case 'status': {
      const status = int()
      if (status !== 429 && status !== 503 && status !== 500)
        throw new MockVLLMError(`fault status:${arg} must be 429, 503 or 500`)
      return { type: 'status', status }
    }
    case 'slow':
      return { type: 'slow', delayMs: int() }
    case 'context-variant': {
      const variant = int() as ContextVariant
      if (!CONTEXT_VARIANTS.includes(variant)) throw new MockVLLMError('fault context-variant takes 1-8')
      return { type: 'context-variant', variant }
    }
    case 'finish':
      if (arg !== 'abort' && arg !== 'repetition') throw new MockVLLMError('fault finish takes abort or repetition')
      return { type: 'finish', reason: arg }
    case 'pause': {
      const seconds = Number(arg)
      if (arg === undefined || arg === '' || !Number.isFinite(seconds) || seconds < 0)
        throw new MockVLLMError('fault pause needs seconds (pause:<seconds>[:<times>])')
      const timesArg = args[1]
      const times = timesArg === undefined ? 1 : Number(timesArg)
      if (!Number.isInteger(times) || times < 1)
        throw new MockVLLMError('fault pause:<seconds>:<times> needs times >= 1')
      return { type: 'pause', seconds, times }
    }
    case 'drop-parser-ids':
    case 'missing-prompt-ids':
    case 'flat-error-shape':
    case 'legacy-reasoning-field':
    case 'logprobs-misaligned':
    case 'choice-index':
    case 'bare-cr':
    case 'throttle':
      return { type: name as 'throttle' }
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
