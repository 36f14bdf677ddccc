// A throwaway redis-server for integration tests: one process on a free loopback port, no
// persistence, its working dir in a temp dir. stop()/start() simulate an outage on the same port
// (the data does not survive: nothing is saved); pause()/resume() freeze it instead.
// destroy() stops it and removes the temp dir.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBinary, freePort } from './env.js'

export interface RedisServer {
  host: '127.0.0.1'
  port: number
  /** SIGTERM, and wait for the process to exit: clients see their connection closed. */
  stop(): Promise<void>
  /** Start again on the same port (empty: nothing was persisted). */
  start(): Promise<void>
  /** SIGSTOP: the server keeps its connections open but answers nothing (a network black hole). */
  pause(): Promise<void>
  /** SIGCONT after pause(). */
  resume(): Promise<void>
  /** Stop (if running) and delete the temp dir. Idempotent. */
  destroy(): Promise<void>
}

const binary = findBinary(process.env.REDIS_SERVER ?? '/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server')

/** Why the Redis integration tests cannot run here, or undefined when they can. */
export const redisServerMissing: string | undefined = binary
  ? undefined
  : 'redis-server not found (looked in $REDIS_SERVER, /usr/bin, /usr/local/bin, /opt/homebrew/bin); install it, e.g. apt-get install redis-server'

// A crashed or filtered-out run must not leave servers behind: kill them when this process exits,
// and, where setpriv exists (Linux), have the kernel kill them if it dies from a signal instead.
const setpriv = findBinary('/usr/bin/setpriv', '/bin/setpriv')
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL') // also ends a paused (SIGSTOPped) server
})

export async function startRedisServer(): Promise<RedisServer> {
  if (!binary) throw new Error(redisServerMissing)
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-redis-'))
  let child: ChildProcess | undefined
  let port = 0

  // freePort() releases the port before redis binds it, so another process may take it in
  // between: try a few ports on the first start.
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    try {
      child = await launch(binary, port, dir)
      break
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }

  const server: RedisServer = {
    host: '127.0.0.1',
    port,
    async stop() {
      if (child) await terminate(child)
      child = undefined
    },
    async start() {
      if (!child) child = await launch(binary, port, dir)
    },
    async pause() {
      child?.kill('SIGSTOP')
    },
    async resume() {
      child?.kill('SIGCONT')
    },
    async destroy() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return server
}

async function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no']
  // setpriv execs redis-server in place, so child.pid is the server's pid.
  const argv = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', bin, ...args] : [bin, ...args]
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      running.delete(child)
      reject(new Error(`redis-server on port ${port} exited (${signal ?? code}) before answering PING:\n${output}`))
    })
  })
  exited.catch(() => {})
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (await Promise.race([ping(port), exited])) return child
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await terminate(child)
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`)
}

/** One PING over a raw socket: true on +PONG, false on anything else (not up yet). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  child.kill('SIGCONT') // a paused server only acts on SIGTERM once continued
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
  running.delete(child)
}
