import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface RunResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  output: string
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/**
 * The environment of a user who has no vLLM: no VLLM_* variables (so `connectOrStartMockVLLM`
 * starts the in-process mock) and no OTLP endpoint (so nothing is exported anywhere).
 */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VLLM_') && !key.startsWith('OTEL_')) env[key] = value
  }
  return env
}

/**
 * Runs a snippet file with tsx on the Node running the tests, in an empty working directory (files
 * it writes land there and are removed). A program that leaves a server or timer open never exits:
 * it is killed after `timeoutMs` and reported as such.
 */
export function runSnippet(file: string, timeoutMs: number): Promise<RunResult> {
  const cwd = mkdtempSync(join(tmpdir(), 'strands-vllm-snippet-'))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, file], { cwd, env: offlineEnv() })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      rmSync(cwd, { recursive: true, force: true })
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      rmSync(cwd, { recursive: true, force: true })
      resolve({ exitCode, signal, timedOut, output })
    })
  })
}
