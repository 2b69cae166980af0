import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'

export const repoRoot = join(import.meta.dirname, '..', '..', '..')
const packagesDir = join(repoRoot, 'packages')

/** Every publishable package directory under packages/. */
export const packageDirs = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'package.json')))

/**
 * What the package READMEs tell a user to install next to our packages: every `npm i` / `npm install`
 * line of every package README, minus our own packages (the tarballs stand in for them), flags and
 * global installs. Taken as written, so bare names stay bare: npm then picks versions from our peer
 * ranges (and, on Node 20, would fall back to an older SDK whose engines match if the ranges let it).
 */
function readmeInstallSpecs(): string[] {
  const specs = new Map<string, string>()
  for (const dir of packageDirs) {
    const readme = join(packagesDir, dir, 'README.md')
    if (!existsSync(readme)) continue
    for (const line of readFileSync(readme, 'utf8').split('\n')) {
      const command = /^\s*npm (?:i|install)\s+(.+)$/.exec(line)?.[1]?.split(/\s*(?:&&|;|\|)/)[0]
      if (!command) continue
      const words = command.trim().split(/\s+/)
      if (words.some((w) => w === '-g' || w === '--global')) continue
      for (const spec of words) {
        if (spec.startsWith('-') || spec.startsWith('@strands-vllm/')) continue
        const name = spec.replace(/(?<=.)@.*$/, '')
        if (!specs.has(name) || spec !== name) specs.set(name, spec)
      }
    }
  }
  return [...specs.values()].sort()
}

export interface PackedPackage {
  dir: string
  tarball: string
  /** package.json exactly as it sits inside the tarball. */
  manifestText: string
  files: string[]
}

/**
 * An environment like a user's shell on the Node that runs this test: npm and node from that
 * Node's directory, and none of the npm_config_* / pnpm variables pnpm sets for its children.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_)/i.test(key)) env[key] = value
  }
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`
  return env
}

/** `pnpm pack` (which resolves `workspace:` ranges, unlike `npm pack`) into `dest`. */
function packAll(dest: string): PackedPackage[] {
  return packageDirs.map((dir) => {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: join(packagesDir, dir),
      encoding: 'utf8',
    })
    const last = out.trim().split('\n').pop() ?? ''
    const tarball = last.startsWith('/') ? last : join(dest, last)
    const manifestText = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''))
    return { dir, tarball, manifestText, files }
  })
}

export interface ConsumerProject {
  dir: string
  packed: PackedPackage[]
  /** npm's output of the install (warnings included). */
  installLog: string
  close(): void
}

/** A fresh project outside the monorepo that `npm install`s the tarballs and the README peers. */
export function createConsumerProject(): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), 'strands-vllm-consumer-'))
  const packed = packAll(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }))
  const specs = readmeInstallSpecs()
  const install = spawnSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=warn',
      ...packed.map((p) => p.tarball),
      ...specs,
    ],
    { cwd: dir, encoding: 'utf8', env: userEnv() }
  )
  const installLog = `${install.stdout}\n${install.stderr}`
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `npm install (Node ${process.versions.node}) of the packed tarballs with what the package READMEs' npm lines name ` +
        `(${specs.join(' ')}) failed with exit ${install.status}:\n${installLog}`
    )
  }
  return { dir, packed, installLog, close: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Package names npm warned about with EBADENGINE in an install log. */
export function engineWarnings(log: string): string[] {
  const names = [...log.matchAll(/EBADENGINE\s+package: '(.+?)@[^@']+'/g)].map((m) => m[1] ?? '')
  return [...new Set(names)].sort()
}

/** Runs a file in the consumer project with the Node running this test. */
export function runIn(project: ConsumerProject, file: string, source: string): string {
  writeFileSync(join(project.dir, file), source)
  return execFileSync(process.execPath, [file], { cwd: project.dir, encoding: 'utf8', env: userEnv() }).trim()
}

/** Runs an installed command from node_modules/.bin. */
export function runBin(project: ConsumerProject, name: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(join(project.dir, 'node_modules', '.bin', name), args, {
    cwd: project.dir,
    encoding: 'utf8',
    env: userEnv(),
    timeout: 60_000,
  })
}

export function installedVersion(project: ConsumerProject, name: string): string {
  const manifest = JSON.parse(readFileSync(join(project.dir, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string
  }
  return manifest.version
}

/** Every copy of a package npm installed (paths), to prove there is exactly one. */
export function installedCopies(project: ConsumerProject, name: string): string[] {
  const out = spawnSync('npm', ['ls', name, '--all', '--parseable'], {
    cwd: project.dir,
    encoding: 'utf8',
    env: userEnv(),
  })
  return [...new Set(out.stdout.split('\n').filter((line) => line.endsWith(`node_modules/${name}`)))]
}
