// The stores the store section of bench/run.ts runs against. Each server is started on a free
// loopback port by the integration tests' own harness (test/helpers/), and each client is built
// exactly as docs/stores/<name>.md recommends, the way an application would build it.
import { createRequire } from 'node:module'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { Redis } from 'ioredis'
import pg from 'pg'
import { memoryStore } from '../src/index.js'
import { dynamodbStore } from '../src/stores/dynamodb.js'
import { postgresStore } from '../src/stores/postgres.js'
import { redisStore } from '../src/stores/redis.js'
import type { OwnershipStore } from '../src/stores/types.js'
import { startDynalite } from '../test/helpers/dynalite-server.js'
import { startPostgres } from '../test/helpers/postgres-server.js'
import { redisServerMissing, startRedisServer } from '../test/helpers/redis-server.js'
import { MEMORY_MAX_RECORDS } from './stores.js'

export interface Backend {
  store: OwnershipStore
  /** Server and client versions, and where the server listens. */
  about: string
  /** What one store call costs on the wire, as the store's docs state it. */
  cost: string
  /** Requests the client sent since the last reset, by command, where they can be counted. */
  requests?: { counts(): Map<string, number>; reset(): void }
  /** Closes the client, then stops the server and removes its files. */
  close(): Promise<void>
}

export interface BenchServer {
  name: string
  /** The variable an application might point at this store; the bench starts its own server instead. */
  env?: string
  /** A running server with an empty store on it, or why there can't be one here. */
  start(): Promise<Backend | string>
}

const version = (name: string) => (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version

export const benchServers: BenchServer[] = [
  {
    name: 'memory',
    start: async () => ({
      store: memoryStore({ maxRecords: MEMORY_MAX_RECORDS }),
      about: 'in process',
      cost: 'no round trip: a Map lookup',
      close: async () => {},
    }),
  },
  {
    name: 'redis',
    env: 'REDIS_URL',
    async start() {
      if (redisServerMissing) return redisServerMissing
      const server = await startRedisServer()
      const client = new Redis({ host: server.host, port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true })
      client.on('error', (error: Error) => console.error(`[redis] ${error.message}`))
      const close = async () => {
        await client.quit().catch(() => client.disconnect())
        await server.destroy()
      }
      try {
        await client.connect() // the docs' lazyConnect variant: with no offline queue, connect before the first call
        const info = await client.info('server')
        return {
          store: redisStore({ client, keyPrefix: 'safe-presign:', timeoutMs: 2000 }),
          about: `redis-server ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'} on ${server.host}:${server.port}, ioredis ${version('ioredis')}, no persistence`,
          cost: 'docs/stores/redis.md: "Every write is one Lua script (EVALSHA)"; "get is one GET and getMany one MGET", 1 round trip each',
          close,
        }
      } catch (error) {
        await close()
        throw error
      }
    },
  },
  {
    name: 'postgres',
    env: 'DATABASE_URL',
    async start() {
      const server = await startPostgres()
      if (typeof server === 'string') return server
      const pool = new pg.Pool({ connectionString: server.connectionString, connectionTimeoutMillis: 2000, statement_timeout: 2000 })
      pool.on('error', (error) => console.error(`[postgres pool] ${error.message}`))
      const close = async () => {
        await pool.end().catch(() => {})
        await server.destroy()
      }
      try {
        const store = postgresStore({ pool })
        await store.migrate()
        const { rows } = await pool.query<{ server_version: string }>('SHOW server_version')
        return {
          store,
          about: `PostgreSQL ${rows[0]?.server_version.split(' ')[0] ?? '?'} on ${server.host}:${server.port} (fsync=off), pg ${version('pg')}, default pool`,
          cost: 'docs/stores/postgres.md: "Every method is a single SQL statement in its own implicit transaction"; one call borrows one pooled client',
          close,
        }
      } catch (error) {
        await close()
        throw error
      }
    },
  },
  {
    name: 'dynamodb',
    env: 'DYNAMODB_ENDPOINT',
    async start() {
      const server = await startDynalite()
      if (typeof server === 'string') return server
      // The docs' client, pointed at the emulator: its endpoint and its dummy credentials.
      const base = new DynamoDBClient({ ...server.clientConfig })
      const sent = new Map<string, number>()
      // Counts each command the store sends (an UnprocessedKeys retry is a new command; the SDK's own
      // transport retries happen below this step and are not counted).
      base.middlewareStack.add(
        (next, context) => (args) => {
          const name = (context.commandName ?? '?').replace(/Command$/, '')
          sent.set(name, (sent.get(name) ?? 0) + 1)
          return next(args)
        },
        { step: 'initialize', name: 'benchRequestCounter' },
      )
      const close = async () => {
        base.destroy()
        await server.destroy()
      }
      try {
        const store = dynamodbStore({ client: DynamoDBDocumentClient.from(base), tableName: 'safe-presign' })
        await store.createTable(base)
        return {
          store,
          about: `dynalite ${version('dynalite')} (an emulator, in this process) on 127.0.0.1:${server.port}, @aws-sdk/client-dynamodb ${version('@aws-sdk/client-dynamodb')}`,
          cost: 'docs/stores/dynamodb.md: every write is "one conditional request"; getMany: "N keys cost ceil(N/100) parallel requests" (BatchGetItem takes 100 keys)',
          requests: { counts: () => new Map(sent), reset: () => sent.clear() },
          close,
        }
      } catch (error) {
        await close()
        throw error
      }
    },
  },
]
