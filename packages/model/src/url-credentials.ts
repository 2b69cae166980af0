/** A URL made safe to show, and the `user:password` it carried, ready for an `Authorization: Basic` header. */
export interface SplitUrl {
  /** The URL as `URL` serializes it, without user info or query (where tokens travel too). */
  url: string
  /** base64 of `user:password` (percent-decoded, UTF-8), when the URL carried user info. */
  basic: string | undefined
}

/**
 * Takes `user:password@` and the query off a URL so that neither reaches an error, a log line or a report, and
 * hands the credentials back for callers that send them as a header. A string `URL` cannot parse still loses
 * anything between `scheme://` and an `@`.
 */
export function splitUrlCredentials(url: string): SplitUrl {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { url: url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1'), basic: undefined }
  }
  const hasUser = parsed.username !== '' || parsed.password !== ''
  const basic = hasUser
    ? toBase64(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`)
    : undefined
  parsed.username = ''
  parsed.password = ''
  parsed.search = ''
  return { url: parsed.toString(), basic }
}

function toBase64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
}
