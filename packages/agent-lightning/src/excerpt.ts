import { redact } from '@strands-vllm/model/internal'

const MAX_EXCERPT = 500

/** At most 500 characters of a response body, with the key and bearer tokens redacted. */
export function excerpt(text: string, key: string | undefined): string {
  const clean = redact(text, key)
  return clean.length > MAX_EXCERPT ? `${clean.slice(0, MAX_EXCERPT)}…` : clean
}
