import { MockVLLMRequestError } from './errors.js'
import { PyObject, pyRepr, Tuple } from './py-repr.js'

/** `str(VLLMValidationError)`: the text, then ` (parameter=…, value=…)` when either is known. */
function vllmText(text: string, param?: string, value?: unknown): string {
  const extras: string[] = []
  if (param !== undefined) extras.push(`parameter=${param}`)
  if (value !== undefined && value !== null) extras.push(`value=${typeof value === 'string' ? value : pyRepr(value)}`)
  return extras.length > 0 ? `${text} (${extras.join(', ')})` : text
}

/**
 * A check vLLM runs while serving (rendering, sampling params): `BadRequestError`, `param` set, and the message
 * ends with ` (parameter=…, value=…)`.
 */
export function invalidParam(text: string, param?: string, value?: unknown): MockVLLMRequestError {
  return new MockVLLMRequestError(400, vllmText(text, param, value), param === undefined ? {} : { param })
}

/**
 * A check vLLM runs as a pydantic `model_validator(mode="before")`: FastAPI turns it into a 400 of type
 * `Bad Request` whose message is `str(RequestValidationError)` followed by `str(exc.errors())`, so the error
 * dict (with `'msg': 'Value error, …'` and the whole request body as `'input'`) appears twice.
 */
export function requestValidationError(
  text: string,
  body: unknown,
  options: { param?: string; value?: unknown } = {}
): MockVLLMRequestError {
  const error = {
    type: 'value_error',
    loc: new Tuple(['body']),
    msg: `Value error, ${vllmText(text, options.param, options.value)}`,
    input: body,
    ctx: { error: new PyObject('VLLMValidationError', [text]) },
  }
  return new MockVLLMRequestError(400, pydanticMessage(error), {
    type: 'Bad Request',
    ...(options.param === undefined ? {} : { param: options.param }),
  })
}

/** A required field is absent: pydantic's `missing` error at `('body', field)`. */
export function missingFieldError(field: string, body: unknown): MockVLLMRequestError {
  const error = { type: 'missing', loc: new Tuple(['body', field]), msg: 'Field required', input: body }
  return new MockVLLMRequestError(400, pydanticMessage(error), { type: 'Bad Request' })
}

/** A field has the wrong JSON type, e.g. `list_type` / `Input should be a valid list`. */
export function fieldTypeError(field: string, type: string, msg: string, input: unknown): MockVLLMRequestError {
  const error = { type, loc: new Tuple(['body', field]), msg, input }
  return new MockVLLMRequestError(400, pydanticMessage(error), { type: 'Bad Request' })
}

function pydanticMessage(error: Record<string, unknown>): string {
  const item = pyRepr(error)
  return `1 validation error:\n  ${item} [${item}]`
}
