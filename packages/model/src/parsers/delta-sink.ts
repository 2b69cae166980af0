import type { WireDelta } from '../wire.js'

/**
 * Collects the deltas of one `push`/`finish` call. Adjacent text of the same kind becomes one delta,
 * so a piece that is split internally (a tag in the middle) does not multiply objects on the hot path.
 */
export class DeltaSink {
  out: WireDelta[] = []

  content(text: string): void {
    if (text.length === 0) return
    const last = this.out[this.out.length - 1]
    if (last !== undefined && typeof last.content === 'string') last.content += text
    else this.out.push({ content: text })
  }

  reasoning(text: string): void {
    if (text.length === 0) return
    const last = this.out[this.out.length - 1]
    if (last !== undefined && typeof last.reasoning === 'string') last.reasoning += text
    else this.out.push({ reasoning: text })
  }

  toolCall(index: number, id: string, name: string, args: string): void {
    this.out.push({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }] })
  }

  /** Hands over what was collected and starts empty again. */
  take(): WireDelta[] {
    const out = this.out
    if (out.length === 0) return []
    this.out = []
    return out
  }
}
