/**
 * Length of the longest suffix of `text` that is a proper prefix of one of `tags` (all of which start
 * with `<` and contain no other `<`): the part a streaming parser must hold back because the next
 * piece may complete a tag. 0 when the text cannot end inside a tag.
 */
export function heldTagPrefixLength(text: string, tags: readonly string[]): number {
  const lt = text.lastIndexOf('<')
  if (lt < 0) return 0
  const length = text.length - lt
  for (const tag of tags) {
    if (length < tag.length && tag.startsWith(text.slice(lt))) return length
  }
  return 0
}
