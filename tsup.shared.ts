import { defineConfig, type Options } from 'tsup'

/**
 * How every published package builds: ESM and CJS with their own `.d.ts`/`.d.cts`, source maps, Node 20 syntax,
 * from `tsconfig.build.json` (tests and fixtures left out). A package names only its entry points.
 */
export function packageBuild(entry: NonNullable<Options['entry']>): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry,
    tsconfig: 'tsconfig.build.json',
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  })
}
