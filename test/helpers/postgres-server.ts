// A throwaway PostgreSQL for integration tests: initdb into a temp dir, one postmaster on a free
// loopback port, stop()/start() to simulate an outage (same port, same data), destroy() to remove
// everything. PostgreSQL refuses to run as root, so as root every server binary runs as the
// unprivileged `postgres` user (setpriv, else runuser) over a temp dir chowned to it.
import { execFile, execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { findBinary, freePort } from './env.js'

const run = promisify(execFile)

export interface PostgresServer {
  host: '127.0.0.1'
  port: number
  user: 'postgres'
  database: string
  connectionString: string
  /** Ready to spread into `new pg.Pool({ ...config })`. */
  config: { host: string; port: number; user: string; database: string }
  /** Fast shutdown: open connections are terminated, new ones are refused. */
  stop(): Promise<void>
  /** Start again on the same port, over the same data. */
  start(): Promise<void>
  /** Stop (if running) and delete the data directory. Idempotent. */
  destroy(): Promise<void>
}

const DATABASE = 'safe_presign'
const RUN_AS = 'postgres'

function binDir(): string | undefined {
  const candidates = [process.env.POSTGRES_BIN_DIR].filter((d): d is string => Boolean(d))
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    // Newest major first.
    const majors = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    candidates.push(...majors.map((v) => join(debian, v, 'bin')))
  }
  candidates.push('/usr/local/pgsql/bin', '/opt/homebrew/bin', '/usr/local/bin', '/usr/bin')
  const ctl = findBinary(...candidates.map((d) => join(d, 'pg_ctl')))
  return ctl && existsSync(join(ctl, '..', 'initdb')) ? join(ctl, '..') : undefined
}

/** How to run a server binary: directly, or (as root) as the `postgres` user. */
function runner(): { wrap: (argv: string[]) => string[]; uid?: number; gid?: number } | string {
  if (process.getuid?.() !== 0) return { wrap: (argv) => argv }
  let uid: number
  let gid: number
  try {
    uid = Number(execFileSync('id', ['-u', RUN_AS], { encoding: 'utf8' }).trim())
    gid = Number(execFileSync('id', ['-g', RUN_AS], { encoding: 'utf8' }).trim())
  } catch {
    return `running as root and there is no '${RUN_AS}' user to run PostgreSQL as`
  }
  const setpriv = findBinary('/usr/bin/setpriv', '/bin/setpriv')
  if (setpriv) {
    return { uid, gid, wrap: (argv) => [setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', ...argv] }
  }
  const runuser = findBinary('/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser')
  if (runuser) return { uid, gid, wrap: (argv) => [runuser, '-u', RUN_AS, '--', ...argv] }
  return 'running as root and neither setpriv nor runuser is available to drop privileges'
}

/** Kill a postmaster left behind (a crashed or filtered-out test run) when this process exits. */
const leftovers = new Set<string>()
process.once('exit', () => {
  for (const dir of leftovers) {
    try {
      const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
      if (pid > 0) process.kill(pid, 'SIGQUIT')
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true })
  }
})

/**
 * Start a PostgreSQL for the calling test file, or return why it cannot be started here
 * (binaries missing, no way to drop root): pass that string to `describeWithServer`.
 */
export async function startPostgres(): Promise<PostgresServer | string> {
  const bin = binDir()
  if (!bin) return 'PostgreSQL binaries (initdb, pg_ctl) not found; set POSTGRES_BIN_DIR'
  const as = runner()
  if (typeof as === 'string') return as

  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-pg-'))
  leftovers.add(dir)
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid)
  const data = join(dir, 'data')
  const log = join(dir, 'postgres.log')
  const port = await freePort()

  const exec = async (argv: string[]): Promise<void> => {
    const [file, ...args] = as.wrap(argv)
    try {
      await run(file!, args, { cwd: dir, timeout: 60_000 })
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : ''
      throw new Error(`${argv.slice(0, 2).join(' ')} failed: ${(error as Error).message}\n${tail}`, { cause: error })
    }
  }

  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ')
  let running = false
  const start = async (): Promise<void> => {
    await exec([join(bin, 'pg_ctl'), '-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'])
    running = true
  }
  const stop = async (): Promise<void> => {
    if (!running) return
    await exec([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'])
    running = false
  }

  await exec([join(bin, 'initdb'), '-D', data, '-U', RUN_AS, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  await start()

  const config = { host: '127.0.0.1' as const, port, user: RUN_AS, database: 'postgres' }
  const admin = new pg.Client(config)
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`)
  } finally {
    await admin.end()
  }

  let destroyed = false
  return {
    host: '127.0.0.1',
    port,
    user: RUN_AS,
    database: DATABASE,
    connectionString: `postgres://${RUN_AS}@127.0.0.1:${port}/${DATABASE}`,
    config: { ...config, database: DATABASE },
    stop,
    start,
    async destroy() {
      if (destroyed) return
      destroyed = true
      try {
        await stop()
      } finally {
        rmSync(dir, { recursive: true, force: true })
        leftovers.delete(dir)
      }
    },
  }
}
