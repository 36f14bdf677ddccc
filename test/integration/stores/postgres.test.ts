// The PostgreSQL store against a real postmaster on loopback: the shared conformance suite
// (with an outage in the middle), then what only this store has: migrate(), table names, timeouts.
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3Client } from '@aws-sdk/client-s3'
import { createSafeDownload } from '../../../src/download.js'
import { isSafePresignError } from '../../../src/errors.js'
import { createSafeUpload } from '../../../src/upload.js'
import { postgresStore } from '../../../src/stores/postgres.js'
import type { OwnershipStore, UploadRecord } from '../../../src/stores/types.js'
import { testOwnershipStore } from '../../../src/testing/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js'

const started = await startPostgres()

/** The DDL as it was before the multipart columns: without them and without the step that adds them. */
function withoutMultipart(ddl: string): string {
  const stripped = ddl
    .replace(/\n  -- Multipart uploads only[^\n]*\n  upload_id [^\n]*\n  part_size [^\n]*\n  part_count [^\n]*/, '')
    .replace(/\n-- The multipart columns were added[\s\S]*?\n\$\$;\n/, '')
  if (/upload_id|part_size|part_count/.test(stripped)) throw new Error('withoutMultipart: the schema changed; update this helper')
  return stripped
}

describeWithServer('postgresStore', typeof started === 'string' ? started : undefined, () => {
  const server = started as PostgresServer
  const pools = new Set<pg.Pool>()
  const poolOf = new WeakMap<OwnershipStore, pg.Pool>()
  const poolErrors: Error[] = []

  function newPool(extra: pg.PoolConfig = {}): pg.Pool {
    const pool = new pg.Pool({ ...server.config, connectionTimeoutMillis: 2000, max: 10, ...extra })
    // Without this listener, the idle clients a server shutdown terminates would crash the run.
    pool.on('error', (error) => poolErrors.push(error))
    pools.add(pool)
    return pool
  }
  function newStore(options: Omit<Parameters<typeof postgresStore>[0], 'pool'> = {}, pool = newPool()) {
    const store = postgresStore({ pool, ...options })
    poolOf.set(store, pool)
    return store
  }
  const admin = () => [...pools][0]!
  /** A row as the code before multipart wrote it: without the multipart columns. */
  const insertOld = (table: string, r: UploadRecord) =>
    admin().query(
      `INSERT INTO ${table} (key, owner, state, content_type, min_size, max_size, created_at, expires_at, purge_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.key, r.owner, r.state, r.contentType, r.minSize, r.maxSize, r.createdAt, r.expiresAt, r.purgeAt ?? null],
    )
  const exists = async (name: string) => (await admin().query('SELECT to_regclass($1) AS t', [name])).rows[0].t !== null

  beforeAll(async () => {
    await newStore().migrate()
  })

  afterAll(async () => {
    await Promise.all([...pools].map((p) => p.end().catch(() => {})))
    await server.destroy()
  })

  testOwnershipStore({
    name: 'postgres',
    create: () => newStore(),
    cleanup: async (store) => {
      const pool = poolOf.get(store)
      pools.delete(pool!)
      await pool?.end()
    },
    fault: { stop: () => server.stop(), start: () => server.start() },
  })

  describe('migrate() and schema()', () => {
    it('is idempotent, also when several processes run it at once', async () => {
      const store = newStore({ table: 'idem_records', ticketTable: 'idem_tickets' })
      expect(await exists('idem_records')).toBe(false)
      await store.migrate()
      await store.migrate()
      await Promise.all(Array.from({ length: 5 }, () => newStore({ table: 'idem_records', ticketTable: 'idem_tickets' }).migrate()))
      for (const name of ['idem_records', 'idem_tickets', 'idem_records_purge_at_idx', 'idem_records_pending_idx', 'idem_tickets_expires_at_idx']) {
        expect(await exists(name), name).toBe(true)
      }
    })

    it('upgrades a 0.1.0 schema in place: adds the pending index, keeps the rows, and counts them against the quota', async () => {
      const store = newStore({ table: 'v010_records', ticketTable: 'v010_tickets' })
      // 0.1.0's DDL is today's without the pending index and the multipart columns (the only changes since).
      const v010 = withoutMultipart(store.schema()).replace(/\n-- create\(\) counts[^\n]*\n[^\n]*\n[^\n]*_pending_idx[^\n]*\n/, '')
      expect(v010).not.toContain('_pending_idx')
      await admin().query(v010)
      const t = Date.now() + 3_600_000
      const old = { key: 'v010/k', owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 60_000, purgeAt: t + 3_600_000 } as const
      await insertOld('v010_records', old)
      expect(await exists('v010_records_pending_idx')).toBe(false)
      await Promise.all([store.migrate(), newStore({ table: 'v010_records', ticketTable: 'v010_tickets' }).migrate()])
      await store.migrate()
      expect(await exists('v010_records_pending_idx')).toBe(true)
      expect(await store.get(old.key, t)).toStrictEqual(old)
      expect(await store.create({ ...old, key: 'v010/k2' }, t, { maxPendingPerOwner: 1 })).toBe('over-quota')
      expect(await store.create({ ...old, key: 'v010/k2' }, t, { maxPendingPerOwner: 2 })).toBe(true)
      const multipart = { ...old, key: 'v010/mp', multipart: { uploadId: 'u~1.2_3-4+5/6=', partSize: 5 * 1024 ** 3, partCount: 10_000 } }
      expect(await store.create(multipart, t)).toBe(true)
      expect(await store.get(multipart.key, t)).toStrictEqual(multipart)
    })

    it('upgrades a schema from before multipart: adds the three columns, twice and concurrently, keeping the rows', async () => {
      const table = { table: 'premp_records', ticketTable: 'premp_tickets' }
      const store = newStore(table)
      const before = withoutMultipart(store.schema())
      expect(before).not.toMatch(/upload_id|part_size|part_count/)
      await admin().query(before)
      const t = Date.now() + 3_600_000
      const old = { key: 'premp/k', owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 60_000, purgeAt: t + 3_600_000 } as const
      await insertOld('premp_records', old)
      // Deployed before migrate(): creates fail closed, and say what to run.
      await expect(store.create({ ...old, key: 'premp/early' }, t)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringMatching(/column "upload_id" .*does not exist.*run store\.migrate\(\)/),
      })
      const columns = async () =>
        (await admin().query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'premp_records' AND column_name IN ('upload_id', 'part_size', 'part_count') ORDER BY column_name`)).rows
      expect(await columns()).toEqual([])
      await Promise.all([store.migrate(), newStore(table).migrate(), newStore(table).migrate()])
      await store.migrate()
      expect(await columns()).toEqual([
        { column_name: 'part_count', data_type: 'bigint' },
        { column_name: 'part_size', data_type: 'bigint' },
        { column_name: 'upload_id', data_type: 'text' },
      ])
      expect(await store.get(old.key, t)).toStrictEqual(old)
      const big = { ...old, key: 'premp/big', minSize: 5 * 1024 ** 4, maxSize: 5 * 1024 ** 4, multipart: { uploadId: 'x'.repeat(1024), partSize: 5 * 1024 ** 3, partCount: 1024 } }
      expect(await store.create(big, t)).toBe(true)
      expect(await store.transition(big.key, 'pending', 'rejected', { reason: 'X' }, t)).toStrictEqual({ ...big, state: 'rejected', reason: 'X' })
    })

    it('re-runs on an up-to-date schema without waiting for a transaction that is reading the table', async () => {
      // An ALTER TABLE would queue behind this reader's lock (and every later query behind the ALTER).
      const store = newStore({ timeoutMs: 5000 })
      const reader = await admin().connect()
      try {
        await reader.query('BEGIN')
        await reader.query('SELECT count(*) FROM safe_presign_records')
        await expect(store.migrate()).resolves.toBeUndefined()
      } finally {
        await reader.query('ROLLBACK')
        reader.release()
      }
    })

    it('rejects a malformed maxPendingPerOwner with INVALID_REQUEST naming it, before touching the pool', async () => {
      const t = Date.now()
      const record = { key: 'k', owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1 } as const
      await expect(newStore({}, newPool({ port: 1 })).create(record, t, { maxPendingPerOwner: 0 })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('`maxPendingPerOwner` is 0'),
      })
    })

    it('ships sql/postgres.sql as exactly what migrate() runs with the default names', () => {
      const shipped = readFileSync(new URL('../../../sql/postgres.sql', import.meta.url), 'utf8')
      expect(newStore().schema()).toBe(shipped)
    })

    it('keeps schema-qualified, mixed-case table names intact', async () => {
      await admin().query('CREATE SCHEMA IF NOT EXISTS tenant_a')
      const store = newStore({ table: 'tenant_a.Records', ticketTable: 'tenant_a.Tickets' })
      await store.migrate()
      expect(await exists('tenant_a."Records"')).toBe(true)
      const t = Date.now()
      const record = { key: 'k', owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1 } as const
      expect(await store.create(record, t)).toBe(true)
      expect(await store.get('k', t)).toEqual(record)
    })

    it('never creates a table by itself: without migrate() calls fail with STORE_UNAVAILABLE naming migrate()', async () => {
      const store = newStore({ table: 'lazy_records', ticketTable: 'lazy_tickets' })
      const t = Date.now()
      const error = await store.get('k', t).catch((e: unknown) => e)
      expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
      expect((error as Error).message).toMatch(/postgresStore\.get failed: .*"lazy_records".*migrate\(\)/)
      await expect(store.putTicket({ hash: 'h', key: 'k', requester: 'r', createdAt: t, expiresAt: t + 1 }, t)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
      expect(await exists('lazy_records')).toBe(false)
      expect(await exists('lazy_tickets')).toBe(false)
    })
  })

  describe('configuration', () => {
    const badNames = ['records; DROP TABLE users', 'a.b.c', '1records', '"records"', 'my-records', '', ' records', 'x'.repeat(49), 'public.', 'ré']
    it.each(badNames)('rejects table %j with INVALID_CONFIG naming `table` and the value', (name) => {
      const error = (() => {
        try {
          postgresStore({ pool: admin(), table: name })
        } catch (e) {
          return e
        }
      })()
      expect(isSafePresignError(error) && error.code).toBe('INVALID_CONFIG')
      expect((error as Error).message).toContain('`table`')
      expect((error as Error).message).toContain(JSON.stringify(name))
    })

    it('rejects a bad ticketTable, equal table names, a bad timeoutMs and a missing pool', () => {
      expect(() => postgresStore({ pool: admin(), ticketTable: 'tickets--' })).toThrow(/`ticketTable` is "tickets--"/)
      expect(() => postgresStore({ pool: admin(), table: 'same', ticketTable: 'same' })).toThrow(/must differ/)
      for (const timeoutMs of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 31]) {
        expect(() => postgresStore({ pool: admin(), timeoutMs })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`timeoutMs`') }))
      }
      expect(() => postgresStore({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }))
    })

    it('accepts the longest allowed name (48 characters) and its derived index names', async () => {
      const name = 'r'.repeat(48)
      await newStore({ table: name, ticketTable: 't'.repeat(48) }).migrate()
      expect(await exists(`${name}_purge_at_idx`)).toBe(true)
      expect(await exists(`${'t'.repeat(48)}_expires_at_idx`)).toBe(true)
    })
  })

  describe('timeouts', () => {
    it('rejects a call stuck on a lock within timeoutMs, then the pool works again', async () => {
      const pool = newPool({ max: 2 })
      const store = newStore({ timeoutMs: 300 }, pool)
      const t = Date.now() + 3_600_000
      const record = { key: `lock/${t}`, owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1, purgeAt: t + 10 } as const
      await store.create(record, t)
      const locker = await admin().connect()
      try {
        await locker.query('BEGIN')
        await locker.query('SELECT 1 FROM safe_presign_records WHERE key = $1 FOR UPDATE', [record.key])
        const began = performance.now()
        const error = await store.transition(record.key, 'pending', 'committed', {}, t).catch((e: unknown) => e)
        const took = performance.now() - began
        expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
        expect((error as Error).message).toBe('postgresStore.transition failed: no answer within timeoutMs (300 ms)')
        expect(took).toBeGreaterThanOrEqual(290)
        expect(took).toBeLessThan(1000)
      } finally {
        await locker.query('ROLLBACK')
        locker.release()
      }
      // The timed-out connection was destroyed rather than returned busy to the pool.
      expect(await store.get(record.key, t)).toMatchObject({ key: record.key })
      expect(pool.totalCount).toBeLessThanOrEqual(2)
    })

    it('is cancelled by the server too when the pool sets statement_timeout', async () => {
      const pool = newPool({ statement_timeout: 200 })
      const store = newStore({ timeoutMs: 5000 }, pool)
      const t = Date.now() + 3_600_000
      const record = { key: `stmt/${t}`, owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1, purgeAt: t + 10 } as const
      await store.create(record, t)
      const locker = await admin().connect()
      try {
        await locker.query('BEGIN')
        await locker.query('SELECT 1 FROM safe_presign_records WHERE key = $1 FOR UPDATE', [record.key])
        const error = await store.transition(record.key, 'pending', 'committed', {}, t).catch((e: unknown) => e)
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('canceling statement due to statement timeout') })
      } finally {
        await locker.query('ROLLBACK')
        locker.release()
      }
      // Cancelled server-side means not applied later: the record is still pending.
      expect(await store.get(record.key, t)).toMatchObject({ state: 'pending' })
    })

    it('fails fast with STORE_UNAVAILABLE naming the operation when nothing listens on the port', async () => {
      const store = newStore({ timeoutMs: 1000 }, newPool({ port: 1 }))
      const began = performance.now()
      const error = await store.getMany(['a'], Date.now()).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/^postgresStore\.getMany failed: .*ECONNREFUSED.*timeoutMs is 1000 ms/) })
      expect(performance.now() - began).toBeLessThan(1000)
    })
  })
  describe('owners that are not well-formed Unicode', () => {
    it("stores a lone surrogate as U+FFFD, so the builders refuse such an owner before it gets here", async () => {
      const store = newStore()
      const t = Date.now() + 3_600_000
      const key = `uploads/00000000-0000-4000-8000-${String(t % 1e12).padStart(12, '0')}.png`
      // The store itself: 'eve\ud800' goes in, 'eve\ufffd' (another possible account) comes out.
      await store.create({ key, owner: 'eve\ud800', state: 'pending', contentType: 'image/png', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1, purgeAt: t + 10 }, t)
      expect((await store.get(key, t))?.owner).toBe('eve\ufffd')
      // Through the builders, such an owner or requester never reaches the store.
      const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } })
      const upload = createSafeUpload({ client, bucket: 'photos-bucket', store, allowedContentTypes: ['image/png'], maxSize: 10 })
      await expect(upload.presign({ owner: 'mallory\ud800', contentType: 'image/png', size: 1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
      const download = createSafeDownload({ client, bucket: 'photos-bucket', store })
      await expect(download.presign({ key, requester: 'eve\ud800' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    })
  })
})
