import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import type { Attributes, AttributeValue } from './span.js'

/** The OTLP trace schema of this package (`otlp/trace.proto`), parsed once. */
const root = protobuf.parse(readFileSync(new URL('./otlp/trace.proto', import.meta.url), 'utf8')).root
const ExportTraceServiceRequest = root.lookupType('agl.otlp.ExportTraceServiceRequest')
const ExportTraceServiceResponse = root.lookupType('agl.otlp.ExportTraceServiceResponse')
const RpcStatus = root.lookupType('agl.otlp.RpcStatus')

type Long = { toString(): string }
type Int64 = number | Long

/** Decoded protobuf messages, only as far as the store reads them (protobufjs's camelCase names). */
interface PbAnyValue {
  value?: string
  stringValue?: string
  boolValue?: boolean
  intValue?: Int64
  doubleValue?: number
  arrayValue?: { values?: PbAnyValue[] }
  kvlistValue?: { values?: PbKeyValue[] }
  bytesValue?: Uint8Array
}
interface PbKeyValue {
  key: string
  value?: PbAnyValue
}
export interface PbSpan {
  traceId: Uint8Array
  spanId: Uint8Array
  parentSpanId: Uint8Array
  name: string
  startTimeUnixNano: Int64
  endTimeUnixNano: Int64
  attributes?: PbKeyValue[]
  events?: Array<{ timeUnixNano: Int64; name: string; attributes?: PbKeyValue[] }>
  links?: Array<{ traceId: Uint8Array; spanId: Uint8Array; attributes?: PbKeyValue[] }>
  status?: { message?: string; code?: number }
}
export interface PbResourceSpans {
  resource?: { attributes?: PbKeyValue[] }
  scopeSpans?: Array<{ spans?: PbSpan[] }>
  schemaUrl?: string
}

/** Throws protobufjs's error when the bytes are not an `ExportTraceServiceRequest`. */
export function decodeTraceRequest(body: Uint8Array): PbResourceSpans[] {
  const message = ExportTraceServiceRequest.decode(body) as unknown as { resourceSpans?: PbResourceSpans[] }
  return message.resourceSpans ?? []
}

/** The success body: an empty `ExportTraceServiceResponse` (zero bytes). */
export function encodeTraceResponse(): Uint8Array {
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create({})).finish()
}

/** A 400 body: `google.rpc.Status { message }` in protobuf. */
export function encodeRpcStatus(message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.create({ message })).finish()
}

export function decodeRpcStatus(body: Uint8Array): { code: number; message: string } {
  const status = RpcStatus.decode(body) as unknown as { code?: number; message?: string }
  return { code: status.code ?? 0, message: status.message ?? '' }
}

/**
 * Arrays that held at least one `double_value`: Python's adapter keeps ints and floats apart (`[1.0, 2.0]` is not a
 * token-id list), JavaScript numbers do not, so the decoder remembers which arrays came as doubles.
 */
const doubleArrays = new WeakSet<AttributeValue[]>()

export function hasDoubles(value: AttributeValue[]): boolean {
  return doubleArrays.has(value)
}

function anyValue(value: PbAnyValue | undefined): AttributeValue {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue ?? ''
    case 'boolValue':
      return value.boolValue ?? false
    case 'intValue':
      return int64(value.intValue)
    case 'doubleValue':
      return value.doubleValue ?? 0
    case 'arrayValue': {
      const values = value.arrayValue?.values ?? []
      const out = values.map(anyValue)
      if (values.some((v) => v.value === 'doubleValue')) doubleArrays.add(out)
      return out
    }
    case 'kvlistValue':
      return keyValues(value.kvlistValue?.values)
    case 'bytesValue':
      return Buffer.from(value.bytesValue ?? []).toString('hex')
    default:
      return null
  }
}

export function keyValues(kvs: PbKeyValue[] | undefined): Attributes {
  const out: Attributes = {}
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value)
  return out
}

function int64(value: Int64 | undefined): number {
  if (value === undefined) return 0
  return typeof value === 'number' ? value : Number(value.toString())
}

/** Nanoseconds → seconds as v0.3's `convert_timestamp` does (0 → null; values ≤ 1e12 are taken as seconds). */
export function seconds(value: Int64 | undefined): number | null {
  if (value === undefined) return null
  const ns = BigInt(typeof value === 'number' ? value : value.toString())
  if (ns === 0n) return null
  if (ns <= 1_000_000_000_000n) return Number(ns)
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9
}

export function hex(bytes: Uint8Array | undefined, width: number): string {
  if (!bytes || bytes.length === 0) return '0'.repeat(width)
  return Buffer.from(bytes).toString('hex').padStart(width, '0')
}
