// One-off scaffolder used to create a package with the repository's standard shape.
// Usage: node scripts/gen-package.mjs <dir> <description>
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, ...desc] = process.argv.slice(2)
if (!dir) throw new Error('usage: gen-package.mjs <dir> <description>')
const root = join('packages', dir)
const name = `@strands-vllm/${dir}`
mkdirSync(join(root, 'src'), { recursive: true })
const write = (file, text) => {
  const p = join(root, file)
  if (!existsSync(p)) writeFileSync(p, text)
}
write(
  'package.json',
  `${JSON.stringify(
    {
      name,
      version: '0.0.0',
      description: desc.join(' '),
      license: 'Apache-2.0',
      type: 'module',
      sideEffects: false,
      main: './dist/index.cjs',
      module: './dist/index.js',
      types: './dist/index.d.cts',
      exports: {
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
        },
        './package.json': './package.json',
      },
      files: ['dist', 'README.md', 'CHANGELOG.md'],
      engines: { node: '>=20.19' },
      publishConfig: { access: 'public' },
      repository: { type: 'git', url: 'git+https://github.com/strands-vllm/strands-vllm.git', directory: root },
      scripts: {
        build: 'tsup',
        typecheck: 'tsc --noEmit',
        test: 'vitest run',
        'lint:pkg': 'publint --strict && attw --pack . --profile node16',
      },
    },
    null,
    2
  )}\n`
)
write(
  'tsconfig.json',
  `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "*.ts"]
}
`
)
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
})
`
)
write(
  'vitest.config.ts',
  `import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.js'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { name: '${dir}', environment: 'node', include: ['src/**/*.test.ts'] },
})
`
)
write('src/index.ts', `export {}\n`)
write('README.md', `# ${name}\n\n${desc.join(' ')}\n`)
console.log('scaffolded', name)
