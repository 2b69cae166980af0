import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { HfChatTokenizer, loadQwen3Tokenizer } from '@strands-vllm/tokenizer'
import type { AnalysisTokenizer } from './analysis-tokenizer.js'
import { TokenizerSourceError } from './errors.js'
import { VLLMServerTokenizer, type VLLMServerTokenizerOptions } from './vllm-server-tokenizer.js'

/**
 * Turn a `--tokenizer` value into a tokenizer: `qwen3` (shipped, offline; the default), a path to a
 * `tokenizer.json` or to a folder holding one (its `tokenizer_config.json` is used when present), or an
 * `http(s)://` vLLM server URL (its `/tokenize` and `/detokenize`).
 */
export function resolveTokenizer(
  source = 'qwen3',
  serverOptions: Omit<VLLMServerTokenizerOptions, 'baseUrl'> = {}
): AnalysisTokenizer {
  if (source === 'qwen3') return loadQwen3Tokenizer()
  if (/^https?:\/\//i.test(source)) {
    try {
      new URL(source)
    } catch (error) {
      throw new TokenizerSourceError(`not a valid server URL: ${source}`, { cause: error })
    }
    return new VLLMServerTokenizer({ ...serverOptions, baseUrl: source })
  }
  if (!existsSync(source)) {
    throw new TokenizerSourceError(`tokenizer not found: ${source} (use qwen3, a tokenizer.json path, or a server URL)`)
  }
  const isDir = statSync(source).isDirectory()
  const file = isDir ? join(source, 'tokenizer.json') : source
  if (!existsSync(file)) throw new TokenizerSourceError(`no tokenizer.json in ${source}`)
  const config = join(isDir ? source : join(file, '..'), 'tokenizer_config.json')
  try {
    return HfChatTokenizer.fromFiles(file, existsSync(config) ? config : undefined)
  } catch (error) {
    throw new TokenizerSourceError(`cannot load ${file}: ${(error as Error).message}`, { cause: error })
  }
}
