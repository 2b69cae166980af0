/** The URL without user info or query, so credentials embedded in `baseUrl` never reach an error or a log line. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return url
  }
}
