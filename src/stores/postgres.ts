/**
 * `safe-presign/stores/postgres`: the ownership store on PostgreSQL, through a `pg` Pool the
 * caller built. Every method is one atomic statement (consumeTicket adds a read on its failure
 * path; create with `maxPendingPerOwner` is one transaction of three round trips), bounded by
 * `timeoutMs`. See docs/stores/postgres.md.
 *
 * The caller must attach `pool.on('error', …)`: when the server goes away, idle pooled clients
 * emit 'error', and an EventEmitter without a listener crashes the process.
 */
import { createHash } from 'node:crypto'
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg'
import { checkTimeoutMs, storeUnavailable, withDeadline } from '../_internal/deadline.js'
import { SafePresignError } from '../errors.js'
import {
  DEFAULT_TABLE,
  DEFAULT_TICKET_TABLE,
  PATCH_COLUMNS,
  postgresSchema,
  RECORD_COLUMNS,
  RECORD_TYPES,
  TICKET_COLUMNS,
  recordValues,
  tableName,
  toRecord,
  toTicket,
} from './postgres-schema.js'
import { quotaOf } from './quota.js'
import type { ConsumeResult, CreateOptions, CreateResult, OwnershipStore, RecordPatch, TicketRecord, UploadRecord, UploadState } from './types.js'

export interface PostgresStoreOptions {
  /**
   * The pool to query through. Recommended: `connectionTimeoutMillis` and `statement_timeout`
   * at or below `timeoutMs`, and a `pool.on('error', …)` listener.
   */
  pool: Pool
  /** The records table, optionally schema-qualified. @default 'safe_presign_records' */
  table?: string
  /** The download tickets table, optionally schema-qualified. @default 'safe_presign_tickets' */
  ticketTable?: string
  /** Upper bound for each operation, connecting included; past it the call rejects with STORE_UNAVAILABLE. @default 2000 */
  timeoutMs?: number
}

export interface PostgresStore extends OwnershipStore {
  /** Creates both tables and their indexes if they don't exist. Safe to run concurrently and repeatedly. */
  migrate(): Promise<void>
  /** The DDL `migrate()` runs, for your own migration tool. */
  schema(): string
}

const STORE = 'postgresStore'
// SQLSTATEs after which the statement was rolled back and can simply run again.
const RETRYABLE = new Set(['40001', '40P01']) // serialization_failure, deadlock_detected
const UNDEFINED_TABLE = '42P01'
// A table from before a schema change (the multipart columns): the code was deployed before migrate().
const UNDEFINED_COLUMN = '42703'

export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (typeof options?.pool?.connect !== 'function') {
    throw new SafePresignError('INVALID_CONFIG', `${STORE}: \`pool\` must be a pg Pool; got ${typeof options?.pool}`, {
      details: { option: 'pool' },
    })
  }
  const { pool } = options
  const R = tableName('table', options.table ?? DEFAULT_TABLE)
  const T = tableName('ticketTable', options.ticketTable ?? DEFAULT_TICKET_TABLE)
  if (R.sql === T.sql) {
    throw new SafePresignError('INVALID_CONFIG', `${STORE}: \`table\` and \`ticketTable\` are both ${R.sql}; they must differ`, {
      details: { option: 'ticketTable', value: options.ticketTable },
    })
  }
  const timeoutMs = checkTimeoutMs(STORE, options.timeoutMs ?? 2000)
  const ddl = postgresSchema(R, T)
  const live = (purgeAt: string, now: string) => `(${purgeAt} IS NULL OR ${purgeAt} > ${now})`
  const excluded = (columns: string) => columns.split(', ').map((c) => `EXCLUDED.${c}`).join(', ')

  /** Borrow a client for `work`, within the deadline. On any failure the client is destroyed, not reused. */
  function run<T>(operation: string, work: (query: (q: QueryConfig) => Promise<QueryResultRow[]>) => Promise<T>): Promise<T> {
    return withDeadline(timeoutMs, async (signal) => {
      const client: PoolClient = await pool.connect()
      let released = false
      const release = (error?: Error) => {
        if (released) return
        released = true
        client.release(error)
      }
      // The deadline passed while we waited for this client: it is healthy, hand it back unused.
      if (signal.aborted) {
        release()
        throw signal.reason
      }
      // The deadline passes mid-query: the connection's state is unknown, so destroy it.
      const onAbort = () => release(signal.reason as Error)
      signal.addEventListener('abort', onAbort, { once: true })
      const query = async (q: QueryConfig) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return (await client.query(q)).rows
          } catch (error) {
            if (attempt < 3 && RETRYABLE.has((error as { code?: string }).code ?? '') && !signal.aborted) continue
            throw error
          }
        }
      }
      try {
        const result = await work(query)
        release()
        return result
      } catch (error) {
        release(error instanceof Error ? error : new Error(String(error)))
        throw error
      } finally {
        signal.removeEventListener('abort', onAbort)
      }
    }).catch((cause: unknown) => {
      const code = (cause as { code?: string })?.code
      const hint = code === UNDEFINED_TABLE ? 'run store.migrate() (or apply sql/postgres.sql) first'
        : code === UNDEFINED_COLUMN ? 'the schema is older than this version: run store.migrate() (or apply sql/postgres.sql) again'
        : undefined
      throw storeUnavailable(STORE, operation, timeoutMs, cause, hint)
    })
  }

  // An expired record counts as absent: the conflict branch overwrites it, and only it.
  // Parameters: the record's columns in RECORD_COLUMNS order, then `now`, then the quota.
  const NOW = `$${RECORD_TYPES.length + 1}`
  const MAX = `$${RECORD_TYPES.length + 2}`
  const onConflict = `ON CONFLICT (key) DO UPDATE SET (${RECORD_COLUMNS}) = ROW(${excluded(RECORD_COLUMNS)})
                      WHERE existing.purge_at IS NOT NULL AND existing.purge_at <= ${NOW}`
  const placeholders = RECORD_TYPES.map((_, i) => `$${i + 1}`).join(', ')
  const casts = RECORD_TYPES.map((type, i) => `$${i + 1}::${type}`).join(', ')
  // The advisory lock's first key names the table, so stores on other tables never wait on each other.
  const tableLockKey = lockKey(R.sql)

  const store = {
    create: async (record: UploadRecord, now: number, options?: CreateOptions) => {
      const max = quotaOf(STORE, options)
      return run('create', async (query): Promise<CreateResult> => {
        const values = [...recordValues(record), now]
        if (max === undefined) {
          const rows = await query({
            text: `INSERT INTO ${R.sql} AS existing (${RECORD_COLUMNS})
                   VALUES (${placeholders}) ${onConflict} RETURNING 1`,
            values,
          })
          return rows.length === 1
        }
        // One transaction, serialized per owner by a transaction-scoped advisory lock. The lock is taken
        // in its own statement: under READ COMMITTED the next statement's snapshot then sees every
        // grant a previous lock holder committed, so the count and the insert act on the same state.
        // The keys are hashes computed here, so the literal SQL carries no caller input.
        await query({ text: `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(${tableLockKey}, ${lockKey(record.owner)})` })
        const [row] = await query({
          text: `WITH open AS (
                   SELECT count(*) AS n FROM ${R.sql}
                   WHERE owner = $2 AND state = 'pending' AND expires_at > ${NOW} AND ${live('purge_at', NOW)}
                 ), inserted AS (
                   INSERT INTO ${R.sql} AS existing (${RECORD_COLUMNS}) SELECT ${casts} WHERE (SELECT n FROM open) < ${MAX}
                   ${onConflict} RETURNING 1
                 )
                 SELECT (SELECT n FROM open) >= ${MAX} AS full, EXISTS (SELECT 1 FROM inserted) AS created`,
          values: [...values, max],
        })
        await query({ text: 'COMMIT' })
        // The quota is checked first: an owner at the limit hears 'over-quota' even on a key conflict.
        return row?.full ? 'over-quota' : row?.created === true
      })
    },

    get: (key: string, now: number) =>
      run('get', async (query) => {
        const rows = await query({ text: `SELECT * FROM ${R.sql} WHERE key = $1 AND ${live('purge_at', '$2')}`, values: [key, now] })
        return rows[0] ? toRecord(rows[0]) : undefined
      }),

    getMany: (keys: readonly string[], now: number) =>
      run('getMany', async (query) => {
        const found = new Map<string, UploadRecord>()
        if (keys.length === 0) return found
        const rows = await query({
          text: `SELECT * FROM ${R.sql} WHERE key = ANY($1::text[]) AND ${live('purge_at', '$2')}`,
          values: [[...new Set(keys)], now],
        })
        for (const row of rows) found.set(row.key as string, toRecord(row))
        return found
      }),

    transition: (key: string, from: UploadState, to: UploadState, patch: RecordPatch, now: number) =>
      run('transition', async (query) => {
        const values: unknown[] = [key, from, now, to]
        const sets = ['state = $4']
        for (const [field, column] of Object.entries(PATCH_COLUMNS)) {
          // Present-but-undefined clears the column (`purgeAt: undefined` makes a record permanent).
          if (!Object.hasOwn(patch, field)) continue
          values.push(patch[field as keyof typeof PATCH_COLUMNS] ?? null)
          sets.push(`${column} = $${values.length}`)
        }
        const rows = await query({
          text: `UPDATE ${R.sql} SET ${sets.join(', ')} WHERE key = $1 AND state = $2 AND ${live('purge_at', '$3')} RETURNING *`,
          values,
        })
        return rows[0] ? toRecord(rows[0]) : undefined
      }),

    delete: (key: string) =>
      run('delete', async (query) => {
        await query({ text: `DELETE FROM ${R.sql} WHERE key = $1`, values: [key] })
      }),

    putTicket: (ticket: TicketRecord, now: number) =>
      run('putTicket', async (query) => {
        // An expired ticket counts as absent, as an expired record does for create.
        const rows = await query({
          text: `INSERT INTO ${T.sql} AS existing (${TICKET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (hash) DO UPDATE SET (${TICKET_COLUMNS}) = ROW(${excluded(TICKET_COLUMNS)})
                 WHERE existing.expires_at <= $7
                 RETURNING 1`,
          values: [ticket.hash, ticket.key, ticket.requester, ticket.createdAt, ticket.expiresAt, ticket.usedAt ?? null, now],
        })
        return rows.length === 1
      }),

    consumeTicket: (hash: string, now: number) =>
      run('consumeTicket', async (query): Promise<ConsumeResult> => {
        // Concurrent callers queue on the row lock; READ COMMITTED re-checks `used_at IS NULL`
        // on the winner's row version, so exactly one UPDATE returns a row.
        for (let attempt = 0; attempt < 3; attempt++) {
          const [won] = await query({
            text: `UPDATE ${T.sql} SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *`,
            values: [hash, now],
          })
          if (won) return { status: 'ok', ticket: toTicket(won) }
          // A new statement, so a new snapshot: it sees the commit that beat us.
          const [row] = await query({ text: `SELECT * FROM ${T.sql} WHERE hash = $1`, values: [hash] })
          if (!row) return { status: 'missing' }
          const ticket = toTicket(row)
          if (ticket.expiresAt <= now) return { status: 'expired', ticket }
          if (ticket.usedAt !== undefined) return { status: 'used', ticket }
          // Unused and live: putTicket committed between our two statements. Try again.
        }
        throw new Error(`ticket changed under consumeTicket three times in a row`)
      }),

    sweep: (now: number) =>
      run('sweep', async (query) => {
        const [row] = await query({
          text: `WITH r AS (DELETE FROM ${R.sql} WHERE purge_at <= $1 RETURNING 1),
                      t AS (DELETE FROM ${T.sql} WHERE expires_at <= $1 RETURNING 1)
                 SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM t) AS removed`,
          values: [now],
        })
        return Number(row?.removed ?? 0)
      }),

    migrate: () =>
      run('migrate', async (query) => {
        // One simple-protocol query is one implicit transaction; the advisory lock serializes
        // concurrent migrate() calls, which CREATE ... IF NOT EXISTS alone does not (pg_type races).
        await query({ text: `SELECT pg_advisory_xact_lock(7238155240183916);\n${ddl}` })
      }),

    schema: () => ddl,
  }
  return store satisfies PostgresStore
}

/** A 32-bit advisory lock key from a name: collisions only make two owners wait for each other. */
function lockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0)
}
