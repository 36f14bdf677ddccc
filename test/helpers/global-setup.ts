// vitest globalSetup: provides the S3 peer to test files as `inject('rgw')` (see ./rgw.ts).
//
// 1. S3_ENDPOINT + AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY set: use that endpoint, start nothing.
// 2. SAFE_PRESIGN_NO_RGW=1, radosgw not installed, or no selected test file under test/integration/s3/
//    or test/integration/runtimes/:
//    provide `{ missing }`, so those suites skip with the reason (or fail under CI=true).
// 3. Otherwise start ONE throw-away Ceph cluster (scripts/s3-peer/start-rgw.sh, ~2 s) on free loopback
//    ports in a temp dir, and stop it and delete the dir at teardown, on SIGINT/SIGTERM/SIGHUP and on
//    process exit. If this process is SIGKILLed, the script's watchdog (RGW_OWNER_PID) cleans up.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { ensureDist } from './build-dist.js'
import { freePort } from './env.js'
import type { RgwProvided } from './rgw.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const startScript = join(repoRoot, 'scripts/s3-peer/start-rgw.sh')
const stopScript = join(repoRoot, 'scripts/s3-peer/stop-rgw.sh')
const S3_TESTS = 'test/integration/s3/'
/** The other runtimes' smoke tests (test/runtimes/smoke.mjs on dist/) need the peer too. */
const RUNTIME_TESTS = 'test/integration/runtimes/'
const INSTALL = 'apt-get install ceph-mon ceph-osd radosgw ceph-common'
const NEEDED = ['radosgw', 'radosgw-admin', 'ceph-mon', 'ceph-osd', 'ceph', 'monmaptool', 'ceph-authtool', 'curl']

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Before the peer, and before any test file: the package tests and the CLI's tests load dist/.
  if (selects(project, DIST_TESTS)) ensureDist(repoRoot)
  const { value, stop } = await resolvePeer(project)
  project.provide('rgw', value)
  return async () => stop()
}

async function resolvePeer(project: TestProject): Promise<{ value: RgwProvided; stop: () => void }> {
  const none = () => {}
  const env = process.env
  if (env.S3_ENDPOINT) {
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
      return { value: { missing: 'S3_ENDPOINT is set, but AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not' }, stop: none }
    }
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
    const sessionToken = env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}
    // RGW_CLUSTER_DIR: the DIR given to scripts/s3-peer/start-rgw.sh, so tests can create extra RGW users.
    const cluster = env.RGW_CLUSTER_DIR ? { cluster: env.RGW_CLUSTER_DIR } : {}
    return { value: { endpoint: env.S3_ENDPOINT, credentials: { ...credentials, ...sessionToken }, source: 'env', ...cluster }, stop: none }
  }
  if (env.SAFE_PRESIGN_NO_RGW === '1') {
    return { value: { missing: 'SAFE_PRESIGN_NO_RGW=1, so RGW was not started' }, stop: none }
  }
  const absent = NEEDED.filter((bin) => !onPath(bin))
  if (absent.includes('radosgw')) return { value: { missing: `radosgw is not installed (${INSTALL})` }, stop: none }
  if (absent.length > 0) return { value: { missing: `${absent.join(', ')} not found (${INSTALL} curl)` }, stop: none }
  if (!selectsS3Tests(project)) {
    return { value: { missing: `RGW was not started: no selected test file is under ${S3_TESTS} or ${RUNTIME_TESTS}` }, stop: none }
  }
  return startRgw()
}

/**
 * Whether this run includes a file under test/integration/s3/ or test/integration/runtimes/. vitest collects
 * the run's file paths into its (experimental) state just before calling globalSetup; if that ever comes back empty, or in watch
 * mode (globalSetup runs once, later reruns may pick other files), assume yes.
 */
function selectsS3Tests(project: TestProject): boolean {
  return selects(project, [S3_TESTS, RUNTIME_TESTS])
}

/** Test files that load dist/: for them, the build must be fresh. */
const DIST_TESTS = ['test/unit/package/', 'test/integration/package/', 'test/integration/s3/cli.test.ts', RUNTIME_TESTS]

function selects(project: TestProject, prefixes: readonly string[]): boolean {
  if (project.vitest.config.watch) return true
  let paths: string[] = []
  try {
    paths = project.vitest.state.getPaths()
  } catch {
    return true
  }
  if (paths.length === 0) return true
  const root = project.config.root
  return paths.some((p) => prefixes.some((prefix) => relative(root, p).split(sep).join('/').startsWith(prefix)))
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, bin)))
}

async function startRgw(): Promise<{ value: RgwProvided; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-rgw-'))
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    for (const sig of SIGNALS) process.off(sig, onSignal)
    process.off('exit', stop)
    // Synchronous on purpose: this also runs in the 'exit' handler, where nothing async completes.
    spawnSync('bash', [stopScript, dir, '--rm'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30_000 })
    rmSync(dir, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals) => {
    stop()
    // vitest's own handler exits; if nobody else listens, die of the signal as if we had not caught it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
  for (const sig of SIGNALS) process.once(sig, onSignal)
  process.once('exit', stop)

  const rgwPort = await freePort()
  let monPort = await freePort()
  while (monPort === rgwPort) monPort = await freePort()
  const t0 = performance.now()
  const { code, stdout, stderr } = await run('bash', [startScript, dir, String(rgwPort), String(monPort)], {
    ...process.env,
    RGW_OWNER_PID: String(process.pid),
  })
  const ms = Math.round(performance.now() - t0)
  const out = Object.fromEntries(
    stdout.split('\n').flatMap((line) => {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
      return m ? [[m[1], m[2]]] : []
    }),
  ) as Record<string, string | undefined>
  const { S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = out
  if (code !== 0 || !endpoint || !accessKeyId || !secretAccessKey) {
    // Keep the logs for a post-mortem. The script's trap stops what it started; stopping again is a no-op.
    spawnSync('bash', [stopScript, dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30_000 })
    stopped = true
    for (const sig of SIGNALS) process.off(sig, onSignal)
    process.off('exit', stop)
    const tail = stderr.trim().split('\n').slice(-6).join(' | ')
    return { value: { missing: `RGW failed to start (exit ${code}, logs in ${dir}/log): ${tail}` }, stop: () => {} }
  }
  console.log(`[rgw] ${endpoint} ready in ${ms} ms (cluster in ${dir})`)
  return { value: { endpoint, credentials: { accessKeyId, secretAccessKey }, source: 'harness', cluster: dir }, stop }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }))
  })
}
