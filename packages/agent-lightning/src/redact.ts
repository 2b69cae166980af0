const MAX_EXCERPT = 500

/** Removes the server key and anything that looks like a bearer token from text bound for a log or an error. */
export function redactKey(text: string, key: string | undefined): string {
  let out = text.replace(/Bearer\s+[^\s"',}]+/gi, 'Bearer [redacted]')
  if (key && key.length >= 4) out = out.split(key).join('[redacted]')
  return out
}

/** At most 500 characters of a response body, redacted. */
export function excerpt(text: string, key: string | undefined): string {
  const clean = redactKey(text, key)
  return clean.length > MAX_EXCERPT ? `${clean.slice(0, MAX_EXCERPT)}…` : clean
}
