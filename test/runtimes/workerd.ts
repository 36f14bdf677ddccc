// Runs the round trip (./steps.mjs) in workerd, Cloudflare Workers' runtime, with or without the
// nodejs_compat flag: bundles ./worker.mjs (dist/ and the AWS SDK inside) with esbuild as wrangler would,
// writes a workerd config whose only outbound network is loopback, serves it on a free 127.0.0.1 port, asks
// GET / once and stops workerd. Used by test/integration/runtimes/runtimes.test.ts.
//
// Without nodejs_compat nothing is left external: every import must resolve to a browser/worker module,
// or esbuild fails (and names the importer); and workerd itself offers no Node module and no Buffer.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** A date workerd 2026-11-17 supports; newer behaviour is opted into by date. */
const COMPATIBILITY_DATE = '2026-11-01'
/**
 * From compatibility date 2026-08-04 nodejs_compat is on by default (workerd says so when the flag is given:
 * "became the default as of 2026-08-04"), so a Worker without it must opt out. `no_nodejs_compat` alone still
 * leaves Buffer, process and the `node:` modules (nodejs_compat_v2); with both flags off, the isolate has none
 * of them (worker.mjs reports what it sees).
 */
const NODEJS_COMPAT_ON = ['nodejs_compat']
const NODEJS_COMPAT_OFF = ['no_nodejs_compat', 'no_nodejs_compat_v2']

/**
 * The SDK's browser build parses S3's XML answers with DOMParser, which Workers lack: CopyObject (which
 * complete() sends for a POST grant) then fails with "DOMParser is not defined" (aws/aws-sdk-js-v3#7375,
 * cloudflare/workers-sdk#10755). The same module aliasing a Workers user needs: the SDK's own
 * non-browser XML parser instead. Without it, every step but the POST grant's complete() passes.
 */
const noDomParser = {
  name: 'aws-sdk-xml-parser-without-dom',
  setup(build: { onResolve(options: { filter: RegExp }, cb: (args: { path: string; importer: string; resolveDir: string }) => { path: string } | undefined): void }) {
    // xml-builder imports "./xml-parser", which its package.json `browser` map turns into xml-parser.browser.
    build.onResolve({ filter: /^\.\/xml-parser(\.browser)?(\.js)?$/ }, (args) =>
      /[/\\]@aws-sdk[/\\]xml-builder[/\\]/.test(args.importer) ? { path: join(args.resolveDir, 'xml-parser.js') } : undefined,
    )
  },
}

export interface WorkerdRun {
  /** The worker's JSON answer, parsed; undefined when there was none. */
  result?: unknown
  /** Why there is no result: bundle, start or request failure, with workerd's stderr. */
  error?: string
  /** The bundle workerd ran (absent if esbuild failed). */
  bundle?: string
  /** The imports esbuild left in the bundle (external): Node's modules with nodejs_compat, none without. */
  externalImports?: string[]
  /** Modules a package's `browser` map disabled (esbuild's "(disabled):" inputs), i.e. replaced by nothing. */
  disabledModules?: string[]
}

export interface WorkerdOptions {
  /**
   * true: `compatibilityFlags = ["nodejs_compat"]`, Node's modules left external (wrangler's way).
   * false: nodejs_compat switched off (NODEJS_COMPAT_OFF), nothing external.
   */
  nodejsCompat: boolean
}

export async function runInWorkerd(
  workerd: string,
  version: string,
  env: Record<string, string>,
  port: number,
  timeoutMs: number,
  { nodejsCompat }: WorkerdOptions = { nodejsCompat: true },
): Promise<WorkerdRun> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-workerd-'))
  try {
    // esbuild comes with tsup (a devDependency); typed loosely so no @types are needed.
    type Metafile = { inputs: Record<string, unknown>; outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }> }
    type BuildError = { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }
    const esbuild = (await import('esbuild')) as { build(options: Record<string, unknown>): Promise<{ metafile: Metafile }> }
    let metafile: Metafile
    try {
      ;({ metafile } = await esbuild.build({
        entryPoints: [join(here, 'worker.mjs')],
        outfile: join(dir, 'worker.js'),
        bundle: true,
        format: 'esm',
        platform: 'browser',
        conditions: ['workerd', 'worker', 'browser'],
        // nodejs_compat provides Node's modules at run time, with or without `node:` (wrangler leaves them
        // external too). Without it, nothing is external: a Node built-in anywhere in the graph fails the build.
        external: nodejsCompat ? ['node:*', ...builtinModules] : [],
        plugins: [noDomParser],
        metafile: true,
        logLevel: 'silent',
      }))
    } catch (error) {
      const errors = (error as BuildError).errors ?? []
      const why = errors.map((e) => `${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`).join('; ')
      return { error: `esbuild failed: ${why || (error as Error).message}` }
    }
    const bundle = readFileSync(join(dir, 'worker.js'), 'utf8')
    const externalImports = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path))
    const disabledModules = Object.keys(metafile.inputs).filter((p) => p.startsWith('(disabled):'))
    const facts = { bundle, externalImports, disabledModules }
    const bindings = Object.entries({ ...env, WORKERD_VERSION: version, NODEJS_COMPAT: String(nodejsCompat) })
      .map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
      .join(', ')
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "${COMPATIBILITY_DATE}",
      compatibilityFlags = [${(nodejsCompat ? NODEJS_COMPAT_ON : NODEJS_COMPAT_OFF).map((f) => JSON.stringify(f)).join(', ')}],
      bindings = [${bindings}],
      globalOutbound = "loopback",
    )),
    # fetch() reaches loopback only: the S3 peer is there, and nothing else may be reached.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
    )
    const child = spawn(workerd, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<number | null>((r) => child.on('close', r))
    try {
      const deadline = Date.now() + timeoutMs
      // workerd prints nothing when it listens: poll the port until it answers (or workerd exits).
      for (;;) {
        if (child.exitCode !== null) return { ...facts, error: `workerd exited (${child.exitCode}): ${stderr.trim().slice(-1500)}` }
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) })
          const text = await res.text()
          try {
            return { ...facts, result: JSON.parse(text) }
          } catch {
            return { ...facts, error: `workerd answered ${res.status} without JSON: ${text.slice(0, 500)} | ${stderr.trim().slice(-1500)}` }
          }
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code
          if (code !== 'ECONNREFUSED' || Date.now() > deadline) return { ...facts, error: `GET / failed (${code ?? (error as Error).name}): ${stderr.trim().slice(-1500)}` }
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    } finally {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
