import { splitUrlCredentials } from './url-credentials.js'

/** The URL without user info or query, so credentials embedded in `baseUrl` never reach an error or a log line. */
export function withoutCredentials(url: string): string {
  return splitUrlCredentials(url).url
}
