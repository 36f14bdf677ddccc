// An in-process DynamoDB (dynalite) for integration tests, on a free loopback port. stop() closes
// the listener and drops every open connection, so clients see refused connections, as in an
// outage; start() listens again on the same port. Data lives in LevelDB in a temp dir, so it
// survives the restart (dynalite's in-memory mode would start over empty, tables included).
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './env.js'

interface DynaliteOptions {
  createTableMs?: number
  deleteTableMs?: number
  updateTableMs?: number
  /** LevelDB directory; in memory when absent. */
  path?: string
}
type Dynalite = (options: DynaliteOptions) => Server

export interface DynaliteServer {
  port: number
  endpoint: string
  /** Ready to spread into `new DynamoDBClient({ ...clientConfig })`. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }
  stop(): Promise<void>
  start(): Promise<void>
  /** Stop (if running) and delete the data directory. Idempotent. */
  destroy(): Promise<void>
}

function loadDynalite(): Dynalite | string {
  try {
    return createRequire(import.meta.url)('dynalite') as Dynalite
  } catch (error) {
    return `dynalite is not installed (${(error as Error).message.split('\n')[0]})`
  }
}

/** Start dynalite for the calling test file, or return why it cannot run (pass that to `describeWithServer`). */
export async function startDynalite(): Promise<DynaliteServer | string> {
  const dynalite = loadDynalite()
  if (typeof dynalite === 'string') return dynalite
  const dir = mkdtempSync(join(tmpdir(), 'safe-presign-dynalite-'))
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: join(dir, 'db') })
  const port = await freePort()
  let running = false

  const start = () =>
    new Promise<void>((resolve, reject) => {
      if (running) return resolve()
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        running = true
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      if (!running) return resolve()
      running = false
      // dynalite's close() waits for open connections; keep-alive sockets would hold it open.
      server.close((error) => (error ? reject(error) : resolve()))
      server.closeAllConnections()
    })

  await start()
  let destroyed = false
  const endpoint = `http://127.0.0.1:${port}`
  return {
    port,
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    stop,
    start,
    async destroy() {
      if (destroyed) return
      destroyed = true
      try {
        await stop()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
