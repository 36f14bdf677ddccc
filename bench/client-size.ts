// The browser subpaths' cost to a page: safe-presign/client and safe-presign/react bundled and minified
// by esbuild from src/ (what a bundler makes of dist/), then gzipped. React itself is not counted.
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const TARGET_BYTES = 5 * 1024

async function measure(entry: string): Promise<{ minified: number; gzipped: number }> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL(`../${entry}`, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    external: ['react'],
    write: false,
    logLevel: 'silent',
  })
  const code = out.outputFiles[0]!.contents
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length }
}

export async function runClientSizeSection(): Promise<void> {
  console.log('\nBrowser bundle size (esbuild --bundle --minify, ESM, es2020; gzip -9; react external)')
  for (const [name, entry] of [['safe-presign/client', 'src/client/index.ts'], ['safe-presign/react', 'src/react/index.ts']] as const) {
    const { minified, gzipped } = await measure(entry)
    const verdict = gzipped < TARGET_BYTES ? '✔ met' : '✘ missed'
    console.log(`  ${name.padEnd(22)} ${String(minified).padStart(7)} B minified  ${String(gzipped).padStart(6)} B gzipped  target < ${TARGET_BYTES} B gzipped  ${verdict}`)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runClientSizeSection()
