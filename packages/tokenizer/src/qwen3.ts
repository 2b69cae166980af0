import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliDecompressSync } from 'node:zlib'
import { HfChatTokenizer } from './hf-tokenizer.js'

/** SHA-256 of the shipped Qwen3 data files (after decompression), pinned so a silent change fails tests. */
export const QWEN3_DATA_SHA256 = {
  tokenizerJson: 'aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4',
  tokenizerConfig: '5a7303fcb1a27ede63134a2cbd61d5282c247ca6d769ce4746d4ffa124aedd63',
} as const

/** Qwen3 ids the packages refer to by name. */
export const QWEN3_TOKENS = {
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  toolCallStart: 151657,
  toolCallEnd: 151658,
  thinkStart: 151667,
  thinkEnd: 151668,
} as const

let cached: HfChatTokenizer | undefined

/**
 * The Qwen3 tokenizer and chat template, loaded from data shipped inside this package
 * (no network, no hub). Loading costs ~0.4 s and ~150 MB, so the instance is shared.
 */
export function loadQwen3Tokenizer(): HfChatTokenizer {
  if (!cached) {
    const { tokenizerJson, tokenizerConfig } = readQwen3Data()
    cached = new HfChatTokenizer('qwen3', {
      tokenizerJson: JSON.parse(tokenizerJson.toString('utf8')) as Record<string, unknown>,
      tokenizerConfig: JSON.parse(tokenizerConfig.toString('utf8')) as Record<string, unknown>,
    })
  }
  return cached
}

/** The raw bytes of the shipped Qwen3 files, and their SHA-256. */
export function readQwen3Data(): {
  tokenizerJson: Buffer
  tokenizerConfig: Buffer
  sha256: { tokenizerJson: string; tokenizerConfig: string }
} {
  const dir = dataDir()
  const tokenizerJson = brotliDecompressSync(readFileSync(join(dir, 'qwen3-tokenizer.json.br')))
  const tokenizerConfig = readFileSync(join(dir, 'qwen3-tokenizer_config.json'))
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
  return {
    tokenizerJson,
    tokenizerConfig,
    sha256: { tokenizerJson: sha(tokenizerJson), tokenizerConfig: sha(tokenizerConfig) },
  }
}

/** Works from `src/` (tests), `dist/` (ESM and CJS builds) alike: the data folder sits beside both. */
function dataDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, '..', 'data'), join(here, 'data')]) {
    if (existsSync(join(candidate, 'qwen3-tokenizer_config.json'))) return candidate
  }
  throw new Error(`@strands-vllm/tokenizer: data folder not found next to ${here}`)
}
