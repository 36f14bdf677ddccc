// The BUILT package (dist/) in each JavaScript runtime we claim: test/runtimes/smoke.mjs runs as a child
// process of Node 22, Node 24, Bun and Deno (fetched on demand by scripts/runtimes.sh into a cache folder,
// not node_modules) and of the Node running vitest, against the RGW peer; and, as a module worker, in workerd
// with nodejs_compat and without it (../../runtimes/workerd.ts). Each run must go import → PUT
// grant → upload → complete() → download → POST grant → form upload → complete(), and S3 must then hold
// what it says it uploaded. Outside CI a runtime that cannot be fetched skips with the reason; with
// CI=true it fails.
import { spawn } from 'node:child_process'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { expect, it } from 'vitest'
import { describeWithServer, freePort } from '../../helpers/env.js'
import { bucketFixture, rgwPeer } from '../../helpers/rgw.js'
import { runInWorkerd } from '../../runtimes/workerd.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const SMOKE = join(repoRoot, 'test/runtimes/smoke.mjs')
const FETCH_TIMEOUT_MS = 300_000
const RUN_TIMEOUT_MS = 60_000
const peer = rgwPeer()

interface Runtime {
  label: string
  /** What the smoke script reports as `runtime`. */
  kind: 'node' | 'bun' | 'deno'
  /** scripts/runtimes.sh NAME; undefined for the Node that runs vitest. */
  fetch?: string
  args(script: string, endpoint: URL): string[]
}

const RUNTIMES: Runtime[] = [
  { label: `Node ${process.versions.node} (the one running vitest)`, kind: 'node', args: (s) => [s] },
  { label: 'Node 22', kind: 'node', fetch: 'node22', args: (s) => [s] },
  { label: 'Node 24', kind: 'node', fetch: 'node24', args: (s) => [s] },
  { label: 'Bun', kind: 'bun', fetch: 'bun', args: (s) => [s] },
  {
    label: 'Deno',
    kind: 'deno',
    fetch: 'deno',
    // The narrowest grant that works: the AWS SDK's user agent reads os.release() (--allow-sys=osRelease).
    args: (s, endpoint) => ['run', '--no-prompt', '--allow-env', `--allow-read=${repoRoot}`, `--allow-net=${endpoint.host}`, '--allow-sys=osRelease', s],
  },
]

interface Binary {
  path?: string
  version?: string
  missing?: string
}

interface Child {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout: number): Promise<Child> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], timeout, killSignal: 'SIGKILL' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }))
  })
}

const tail = (text: string, lines = 8) => text.trim().split('\n').slice(-lines).join(' | ')

/** The runtime's binary from the cache, fetched from npm first if it is not there. */
async function ensure(name: string | undefined): Promise<Binary> {
  if (!name) return { path: process.execPath, version: process.versions.node }
  const out = await run('bash', [join(repoRoot, 'scripts/runtimes.sh'), 'fetch', name], process.env, FETCH_TIMEOUT_MS).catch((e: Error) => ({
    code: null, signal: null, stdout: '', stderr: e.message,
  }))
  const m = /^(\S+) (\S+) (\S+)$/m.exec(out.stdout)
  if (out.code !== 0 || !m) {
    const why = out.signal ? `killed by ${out.signal} after ${FETCH_TIMEOUT_MS / 1000} s` : `exit ${out.code}`
    return { missing: `scripts/runtimes.sh fetch ${name} failed (${why}): ${tail(out.stderr)}` }
  }
  return { path: m[3], version: m[2] }
}

// Fetched before the suites are declared, so a runtime that cannot be had skips (or, in CI, fails) by name.
const names = [...RUNTIMES.map((rt) => rt.fetch), 'workerd']
const fetched = peer.missing === undefined ? await Promise.all(names.map(ensure)) : names.map(() => ({}) as Binary)
const binaries = fetched.slice(0, RUNTIMES.length)
const workerd = fetched.at(-1)!

const UUID_PNG = /^uploads\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$/
const STEPS = ['import', 'put-grant', 'upload', 'complete', 'download', 'post-grant', 'post-upload', 'post-complete']

RUNTIMES.forEach((rt, i) => {
  const binary = binaries[i]!
  describeWithServer(`dist/ in ${rt.label} on RGW`, peer.missing ?? binary.missing, () => {
    const fixture = bucketFixture(peer)

    it('import → PUT grant → upload → complete() → download → POST grant → form upload → complete()', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
      const { client, bucket } = fixture()
      const endpoint = new URL(peer.endpoint!)
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        S3_ENDPOINT: peer.endpoint,
        AWS_ACCESS_KEY_ID: peer.credentials!.accessKeyId,
        AWS_SECRET_ACCESS_KEY: peer.credentials!.secretAccessKey,
        ...(peer.credentials!.sessionToken ? { AWS_SESSION_TOKEN: peer.credentials!.sessionToken } : {}),
        S3_BUCKET: bucket,
        // Only the SDK's "Node 20 support ends" notice; every other warning still reaches stderr.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // No update check (Deno) or telemetry (Bun): the network here is the registry and loopback only.
        DENO_NO_UPDATE_CHECK: '1',
        DO_NOT_TRACK: '1',
      }
      const child = await run(binary.path!, rt.args(SMOKE, endpoint), env, RUN_TIMEOUT_MS)
      const last = child.stdout.trim().split('\n').at(-1) ?? ''
      let result: RoundTrip
      try {
        result = JSON.parse(last)
      } catch {
        throw new Error(`${rt.label}: no JSON line from smoke.mjs (exit ${child.code}, signal ${child.signal}); stderr: ${tail(child.stderr)}; stdout: ${tail(child.stdout)}`)
      }
      await expectRoundTrip(result, rt.kind, binary.version!, client, bucket)
      expect(child.code).toBe(0)
    })
  })
})

// Workers' runtime, twice: WITH nodejs_compat (Node's modules left external, as wrangler does), and WITHOUT
// it (nothing external: esbuild must resolve every import to a browser/worker module, and the isolate has no
// Buffer, no process and no Node module). Both with the SDK's XML-parser alias that Workers need (see
// ../../runtimes/workerd.ts). Bundled, so dist/ and the SDK are loaded before the request: its import step
// only checks the exports.
const WORKERD_CASES = [
  { label: 'with nodejs_compat', nodejsCompat: true },
  { label: 'without nodejs_compat', nodejsCompat: false },
]
/** An import or require of a Node built-in in bundled code, with `node:`: `from "node:x"`, `import("node:x")`, `require("node:x")`. */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']node:/
/** A Node built-in named without `node:` (left external, so the bundle imports it at run time). */
const nodeBuiltins = new Set(builtinModules)

/**
 * Every code line of an esbuild bundle that names `Buffer` (not ArrayBuffer and the like), with the module
 * it came from: esbuild heads each module with a `// path` comment line. Comment lines are left out.
 */
function bufferUses(bundle: string): Array<{ module: string; line: string }> {
  let module = '(prelude)'
  const uses: Array<{ module: string; line: string }> = []
  for (const line of bundle.split('\n')) {
    const head = /^\/\/ ((?:node_modules|dist|test)\/\S+)$/.exec(line)
    if (head) module = head[1]!
    else if (/(?<![\w$])Buffer(?![\w$])/.test(line) && !/^\s*(?:\/\/|\/\*|\*)/.test(line)) uses.push({ module, line: line.trim() })
  }
  return uses
}

for (const wc of WORKERD_CASES) {
  describeWithServer(`dist/ in workerd ${wc.label} (bundled by esbuild) on RGW`, peer.missing ?? workerd.missing, () => {
    const fixture = bucketFixture(peer)

    it('import → PUT grant → upload → complete() → download → POST grant → form upload → complete()', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
      const { client, bucket } = fixture()
      const { credentials } = peer
      const env = {
        S3_ENDPOINT: peer.endpoint!,
        AWS_ACCESS_KEY_ID: credentials!.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials!.secretAccessKey,
        ...(credentials!.sessionToken ? { AWS_SESSION_TOKEN: credentials!.sessionToken } : {}),
        S3_BUCKET: bucket,
      }
      const run = await runInWorkerd(workerd.path!, workerd.version!, env, await freePort(), RUN_TIMEOUT_MS, { nodejsCompat: wc.nodejsCompat })
      expect(run.error).toBeUndefined()
      if (!wc.nodejsCompat) {
        // What esbuild made of dist/ + the SDK for the worker platform: no Node module, imported or stubbed out.
        expect(run.externalImports).toEqual([])
        expect(run.disabledModules).toEqual([])
        expect(run.bundle).not.toMatch(NODE_IMPORT)
        // No Buffer in dist/ at all. Elsewhere only on a line that asks `typeof Buffer` first: the SDK's browser
        // stream code feature-detects it, and worker.mjs reports `typeof globalThis.Buffer`.
        const uses = bufferUses(run.bundle!)
        expect(uses.filter((u) => u.module.startsWith('dist/'))).toEqual([])
        expect(uses.filter((u) => !/typeof (?:globalThis\.)?Buffer\b/.test(u.line))).toEqual([])
        // And the isolate really had no Node globals to fall back on.
        expect((run.result as { globals?: unknown }).globals).toEqual({
          nodejsCompat: false,
          Buffer: 'undefined',
          process: 'undefined',
          nodeBuffer: expect.stringContaining('No such module "node:buffer"'),
        })
      } else {
        // With the flag, whatever the bundle left external is a Node built-in for nodejs_compat to provide.
        expect(run.externalImports!.filter((p) => !p.startsWith('node:') && !nodeBuiltins.has(p))).toEqual([])
        expect((run.result as { globals?: unknown }).globals).toEqual({ nodejsCompat: true, Buffer: 'function', process: 'object', nodeBuffer: 'loaded' })
      }
      await expectRoundTrip(run.result as RoundTrip, 'workerd', workerd.version!, client, bucket)
    })
  })
}

interface RoundTrip {
  runtime: string
  version: string
  ok: boolean
  fatal?: string
  steps: Array<Record<string, unknown> & { name: string; ok: boolean }>
}

/** Every step did what a user expects, and S3 holds what the runtime says it uploaded. */
async function expectRoundTrip(result: RoundTrip, kind: string, version: string, client: S3Client, bucket: string): Promise<void> {
  // First the outline, so a failure names the step and its error.
  expect(result.fatal).toBeUndefined()
  expect(result.steps.map((s) => [s.name, s.ok, s.error])).toEqual(STEPS.map((name) => [name, true, undefined]))
  expect([result.runtime, result.version, result.ok]).toEqual([kind, version, true])

  const step = Object.fromEntries(result.steps.map((s) => [s.name, s]))
  expect(step['import']).toMatchObject({ absent: [] })
  expect(step['put-grant']).toMatchObject({ method: 'PUT', key: expect.stringMatching(UUID_PNG) })
  // What the grant binds: the exact size, the type, create-once and the filename.
  expect(String(step['put-grant']!.signedHeaders).split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'if-none-match']))
  expect(step['upload']).toMatchObject({ status: 200 })
  expect(step['complete']).toMatchObject({ state: 'committed', sniffedType: 'image/png', size: 70 })
  expect(step['download']).toMatchObject({ status: 200, identical: true, contentType: 'image/png', otherRequester: 'FORBIDDEN' })
  expect(step['post-grant']).toMatchObject({ method: 'POST', key: expect.stringMatching(UUID_PNG), stagingKey: expect.stringMatching(/^quarantine\//) })
  expect(step['post-upload']).toMatchObject({ status: 201 })
  expect(step['post-complete']).toMatchObject({ state: 'committed', sniffedType: 'image/png' })

  // And S3 agrees: both objects are there with the signed type, and the POST's staging copy is gone.
  for (const key of [step['put-grant']!.key, step['post-grant']!.key] as string[]) {
    expect(await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).toMatchObject({ ContentLength: 70, ContentType: 'image/png' })
  }
  const staged = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: step['post-grant']!.stagingKey as string })).then(
    () => 'still there',
    (e: Error) => e.name,
  )
  expect(staged).toBe('NotFound')
}
