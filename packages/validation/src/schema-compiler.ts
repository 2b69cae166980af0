import Ajv, { type Options, type ValidateFunction } from 'ajv'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { ToolSchemaCompileError } from './errors.js'

/** What a tool's schema compiled to: a validator, or the error that made ajv refuse it. */
export type CompiledSchema =
  | { validate: ValidateFunction; error?: undefined }
  | { validate?: undefined; error: ToolSchemaCompileError }

const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: false,
  // Tool schemas come from models' tool specs, not from users: do not reject them on meta-schema
  // nits or unknown `$schema` URIs, and do not keep them in the instance (repeated `$id`s).
  validateSchema: false,
  addUsedSchema: false,
  // Formats are asserted (ajv-formats: date, date-time, email, uri, uuid, ipv4, …, what zod emits);
  // an unknown format name is ignored rather than failing the whole schema.
  validateFormats: true,
  logger: false,
}

/**
 * Compiles each tool's input schema once. Lookup is by schema object identity (a WeakMap, so
 * dropped tools are collected), then by the schema's JSON text for tools that rebuild their spec
 * on every access. A schema ajv cannot compile is cached as its error, so it is reported once.
 */
export class SchemaCompiler {
  private readonly byObject = new WeakMap<object, CompiledSchema>()
  private readonly byJson = new Map<string, CompiledSchema>()
  private draft7: Ajv | undefined
  private draft2020: Ajv2020 | undefined

  constructor(private readonly onCompileError: (error: ToolSchemaCompileError) => void) {}

  get(toolName: string, schema: object): CompiledSchema {
    const cached = this.byObject.get(schema)
    if (cached) return cached
    const key = JSON.stringify(schema)
    let compiled = this.byJson.get(key)
    if (!compiled) {
      compiled = this.compile(toolName, schema)
      this.byJson.set(key, compiled)
      if (compiled.error) this.onCompileError(compiled.error)
    }
    this.byObject.set(schema, compiled)
    return compiled
  }

  private compile(toolName: string, schema: object): CompiledSchema {
    try {
      return { validate: this.ajvFor(schema).compile(schema) }
    } catch (cause) {
      return { error: new ToolSchemaCompileError(toolName, cause) }
    }
  }

  /** Draft 2019-09/2020-12 schemas (zod 4's default output) get ajv's 2020 dialect; the rest draft-07. */
  private ajvFor(schema: object): Ajv | Ajv2020 {
    const dialect = (schema as Record<string, unknown>)['$schema']
    if (typeof dialect === 'string' && /2019-09|2020-12/.test(dialect)) {
      this.draft2020 ??= withFormats(new Ajv2020(AJV_OPTIONS))
      return this.draft2020
    }
    this.draft7 ??= withFormats(new Ajv(AJV_OPTIONS))
    return this.draft7
  }
}

function withFormats<T extends Ajv | Ajv2020>(ajv: T): T {
  // ajv-formats' CJS default export arrives as a namespace object in some ESM loaders.
  const plugin = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats
  plugin(ajv as Ajv)
  return ajv
}
