// What safe-presign adds to a server bundle: a typical server file (createSafeUpload,
// createSafeDownload, memoryStore, one grant) against the same file with raw getSignedUrl, both bundled,
// minified and gzipped by esbuild for platform node. Then the cold start to the first URL, in fresh
// node processes. See bench/README.md, "Server bundle".
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile, type OutputFile } from 'esbuild'

const TARGET_EXTRA_BYTES = 40 * 1024
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 41)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const SRC = JSON.stringify(`${ROOT}src/index.ts`)

const CLIENT = `const client = new S3Client({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
})`

// Both print one PUT URL and exit; nothing is sent (static keys, local signing).
const FILES = {
  'raw getSignedUrl': `import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
${CLIENT}
const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'bkt', Key: 'uploads/x.png', ContentType: 'image/png', ContentLength: 1234 }), { expiresIn: 300, signableHeaders: new Set(['content-type']) })
console.log(url.length)`,
  'safe-presign': `import { S3Client } from '@aws-sdk/client-s3'
import { createSafeDownload, createSafeUpload, memoryStore } from ${SRC}
${CLIENT}
const store = memoryStore()
const uploads = createSafeUpload({ client, bucket: 'bkt', store, allowedContentTypes: ['image/png', 'image/jpeg'], maxSize: 10 * 1024 * 1024 })
export const downloads = createSafeDownload({ client, bucket: 'bkt', store })
export const complete = (key, owner) => uploads.complete({ key, owner })
const grant = await uploads.presign({ owner: 'alice', filename: 'photo.png', contentType: 'image/png', size: 1234 })
console.log(grant.url.length)`,
} as const
type Name = keyof typeof FILES

interface Size {
  /** The entry and the chunks it imports statically: what every start loads. */
  initial: { minified: number; gzipped: number }
  /** Of `initial`, the bytes from src/ (safe-presign's own code), minified. */
  own: number
  /** Chunks reached only through import(): file-type for complete(), and the SDK's own lazy parts. */
  lazy: { minified: number; gzipped: number; names: string[] }
}

// The stdin file's output. Every import() target is an entry point of its own in the metafile too
// (src/multipart/sweep.ts and so on), so the entry is picked by name, not as the first with an entryPoint.
const ENTRY = 'server.mjs'
const entryOf = (metafile: Metafile) => Object.keys(metafile.outputs).find((p) => metafile.outputs[p]!.entryPoint === ENTRY)!

/** ESM with code splitting, so a dynamic import() becomes its own chunk, as in an app bundler. */
async function bundle(name: Name, outdir: string, write: boolean): Promise<{ files: OutputFile[]; metafile: Metafile }> {
  const out = await build({
    stdin: { contents: FILES[name], resolveDir: ROOT, sourcefile: ENTRY, loader: 'js' },
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The SDK's CommonJS build (platform node picks "main") requires Node built-ins: give the ESM output a require.
    banner: { js: `import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);` },
    outdir,
    write,
    metafile: true,
    logLevel: 'silent',
  })
  return { files: out.outputFiles ?? [], metafile: out.metafile! }
}

function sizes(files: OutputFile[], metafile: Metafile): Size {
  const byPath = new Map(files.map((f) => [f.path, f.contents]))
  const outputs = metafile.outputs
  const abs = (p: string) => join(ROOT, p)
  const entry = entryOf(metafile)
  const initial = new Set<string>()
  const visit = (p: string) => {
    if (initial.has(p)) return
    initial.add(p)
    for (const i of outputs[p]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path)
  }
  visit(entry)
  const sum = (paths: string[]) => {
    const bytes = paths.map((p) => byPath.get(abs(p)) ?? new Uint8Array())
    return { minified: bytes.reduce((n, b) => n + b.length, 0), gzipped: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) }
  }
  const lazy = Object.keys(outputs).filter((p) => !initial.has(p) && p.endsWith('.js'))
  const own = [...initial].reduce((n, p) => n + Object.entries(outputs[p]!.inputs).filter(([input]) => !input.includes('node_modules/') && input !== ENTRY).reduce((m, [, v]) => m + v.bytesInOutput, 0), 0)
  // An import() target's chunk is named after its module (src/ ones by path: lifecycle/complete), then
  // the chunks those targets share, which esbuild calls chunk-<hash>.js, as a count.
  const names = lazy.filter((p) => outputs[p]!.entryPoint !== undefined).map((p) => {
    const from = outputs[p]!.entryPoint!
    return from.startsWith('src/') ? from.slice(4).replace(/\.ts$/, '') : p.split('/').pop()!.replace(/-[A-Z0-9]{8}\.js$/, '')
  })
  const shared = lazy.length - names.length
  if (shared > 0) names.push(`${shared} shared chunk${shared === 1 ? '' : 's'}`)
  return { initial: sum([...initial]), own, lazy: { ...sum(lazy), names } }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function runBundleSizeSection(): Promise<void> {
  console.log('\nServer bundle size (esbuild --bundle --minify --splitting, ESM, platform node, node20; gzip -9 per chunk)')
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-bench-bundle-'))
  try {
    const result = {} as Record<Name, Size>
    for (const name of Object.keys(FILES) as Name[]) {
      const outdir = join(dir, name.replace(/\W+/g, '-'))
      const { files, metafile } = await bundle(name, outdir, false)
      result[name] = sizes(files, metafile)
      const { initial, lazy } = result[name]
      console.log(`  ${name.padEnd(18)} ${kb(initial.minified).padStart(9)} minified  ${kb(initial.gzipped).padStart(8)} gzipped at start;  behind import(): ${kb(lazy.minified)} (${kb(lazy.gzipped)} gz) in ${lazy.names.join(', ') || 'nothing'}`)
    }
    const ft = result['safe-presign'].lazy.names.includes('file-type')
    console.log(`  file-type ${ft ? 'is in a chunk of its own, loaded only when complete() runs ✔' : 'is NOT in a lazy chunk ✘'}; safe-presign's own code (src/): ${kb(result['safe-presign'].own)} minified of the start bundle`)
    const extra = result['safe-presign'].initial.minified - result['raw getSignedUrl'].initial.minified
    const extraGz = result['safe-presign'].initial.gzipped - result['raw getSignedUrl'].initial.gzipped
    const verdict = extra <= TARGET_EXTRA_BYTES ? '✔ met' : '✘ missed'
    console.log(`  safe-presign over raw: +${kb(extra)} minified (+${kb(extraGz)} gzipped), target at most +${kb(TARGET_EXTRA_BYTES)} minified  ${verdict}`)

    // Cold start: the same bundles on disk, each run a fresh `node` process, interleaved so that
    // load on the machine hits both alike. Wall time from spawn to exit, after the URL is printed.
    const entries = {} as Record<Name | 'node -e 0', string[]>
    for (const name of Object.keys(FILES) as Name[]) {
      const outdir = join(dir, name.replace(/\W+/g, '-'))
      const { metafile } = await bundle(name, outdir, true)
      const entry = entryOf(metafile)
      entries[name] = [join(ROOT, entry)]
    }
    entries['node -e 0'] = ['-e', '0']
    const times = Object.fromEntries(Object.keys(entries).map((k) => [k, [] as number[]])) as Record<keyof typeof entries, number[]>
    for (let run = 0; run < COLD_RUNS; run++) {
      for (const [name, args] of Object.entries(entries) as [keyof typeof entries, string[]][]) {
        const t0 = process.hrtime.bigint()
        const out = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } })
        const ms = Number(process.hrtime.bigint() - t0) / 1e6
        if (out.status !== 0) throw new Error(`${name}: exit ${out.status}: ${out.stderr.slice(-500)}`)
        times[name].push(ms)
      }
    }
    console.log(`  Cold start to the first URL (median of ${COLD_RUNS} interleaved fresh node processes):`)
    for (const [name, ms] of Object.entries(times)) console.log(`    ${name.padEnd(18)} ${median(ms).toFixed(0).padStart(5)} ms  (range ${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})`)
    // The target: the first grant no slower than the first raw getSignedUrl (medians; 0.5 ms of slack
    // for the timer's own jitter, nothing more).
    const delta = median(times['safe-presign']) - median(times['raw getSignedUrl'])
    console.log(`  first safe-presign grant vs first raw getSignedUrl: ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms, target no slower  ${delta <= 0.5 ? '✔ met' : '✘ missed'}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runBundleSizeSection()
