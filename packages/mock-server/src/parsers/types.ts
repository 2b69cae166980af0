/** A half-open `[start, end)` span of the generated text. */
export type Span = readonly [number, number]

/** One entry of a streamed `delta.tool_calls`, in vLLM's wire shape. */
export interface ToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function: { name?: string; arguments?: string }
}

/** One streamed delta's parsed parts. */
export interface DeltaParts {
  reasoning?: string
  content?: string
  toolCalls?: ToolCallDelta[]
}

/** A tool call parsed from finished text (non-streaming view). */
export interface ParsedToolCall {
  name: string
  /** JSON text: re-dumped like Python's `json.dumps(…, ensure_ascii=False)` (raw for a named tool choice). */
  arguments: string
}

/** What a tool parser found in the content of a finished generation. */
export interface ToolExtraction {
  calls: ParsedToolCall[]
  /** Text before the first tool call, `null` when empty. */
  content: string | null
}

/** A streaming tool parser: sees the content text so far (any split) and says what became sendable. */
export interface ToolStreamParser {
  advance(text: string, finished: boolean): { content?: string; toolCalls?: ToolCallDelta[] }
}
