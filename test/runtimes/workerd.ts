// Runs the round trip (./steps.mjs) in workerd, Cloudflare Workers' runtime, WITH the nodejs_compat flag:
// bundles ./worker.mjs (dist/ and the AWS SDK inside) with esbuild as wrangler would, writes a workerd
// config whose only outbound network is loopback, serves it on a free 127.0.0.1 port, asks GET / once and
// stops workerd. Used by test/integration/runtimes/runtimes.test.ts.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** A date workerd 2026-11-17 supports; newer behaviour is opted into by date. */
const COMPATIBILITY_DATE = '2026-11-01'

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
}

export async function runInWorkerd(workerd: string, version: string, env: Record<string, string>, port: number, timeoutMs: number): Promise<WorkerdRun> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-workerd-'))
  try {
    // esbuild comes with tsup (a devDependency); typed loosely so no @types are needed.
    const esbuild = (await import('esbuild')) as { build(options: Record<string, unknown>): Promise<unknown> }
    await esbuild.build({
      entryPoints: [join(here, 'worker.mjs')],
      outfile: join(dir, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      // nodejs_compat provides Node's modules at run time, with or without `node:` (wrangler leaves them external too).
      external: ['node:*', ...builtinModules],
      plugins: [noDomParser],
      logLevel: 'silent',
    })
    const bindings = Object.entries({ ...env, WORKERD_VERSION: version })
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
      compatibilityFlags = ["nodejs_compat"],
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
        if (child.exitCode !== null) return { error: `workerd exited (${child.exitCode}): ${stderr.trim().slice(-1500)}` }
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) })
          const text = await res.text()
          try {
            return { result: JSON.parse(text) }
          } catch {
            return { error: `workerd answered ${res.status} without JSON: ${text.slice(0, 500)} | ${stderr.trim().slice(-1500)}` }
          }
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code
          if (code !== 'ECONNREFUSED' || Date.now() > deadline) return { error: `GET / failed (${code ?? (error as Error).name}): ${stderr.trim().slice(-1500)}` }
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
