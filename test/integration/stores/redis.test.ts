import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { isSafePresignError } from '../../../src/errors.js'
import { EXPIRED_TICKET_RETENTION_MS, redisStore, type RedisStoreOptions } from '../../../src/stores/redis.js'
import type { OwnershipStore, UploadRecord } from '../../../src/stores/types.js'
import { testOwnershipStore, type TestOwnershipStoreOptions } from '../../../src/testing/index.js'
import { describeWithServer, freePort } from '../../helpers/env.js'
import { type RedisServer, redisServerMissing, startRedisServer } from '../../helpers/redis-server.js'

/** The client options docs/stores/redis.md recommends. */
const RECOMMENDED: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 0 }

const T = Date.now() + 3_600_000
const record = (key: string, extra: Partial<UploadRecord> = {}): UploadRecord => ({
  key,
  owner: 'u1',
  state: 'pending',
  contentType: 'image/png',
  minSize: 1,
  maxSize: 100,
  createdAt: T,
  expiresAt: T + 300_000,
  purgeAt: T + 3_600_000,
  ...extra,
})

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: Error) => e,
  )
}

describeWithServer('redisStore against redis-server', redisServerMissing, () => {
  let server: RedisServer
  const clients = new Set<Redis>()
  const byStore = new Map<OwnershipStore, Redis>()

  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    for (const client of clients) client.disconnect()
    await server?.destroy()
  })

  async function connect(options: RedisOptions): Promise<Redis> {
    const client = new Redis({ host: server.host, port: server.port, ...options, lazyConnect: true })
    client.on('error', () => {}) // outages are staged here on purpose; the store reports them
    clients.add(client)
    await client.connect()
    return client
  }

  function suite(name: string, clientOptions: RedisOptions, storeOptions: Omit<RedisStoreOptions, 'client'>, fault: TestOwnershipStoreOptions['fault']): void {
    testOwnershipStore({
      name,
      async create() {
        const client = await connect(clientOptions)
        const store = redisStore({ client, ...storeOptions })
        byStore.set(store, client)
        return store
      },
      cleanup(store) {
        byStore.get(store)?.disconnect()
      },
      fault,
    })
  }

  // Recommended client, server killed: calls fail at once, without waiting for `timeoutMs`.
  suite('redis', RECOMMENDED, {}, { stop: () => server.stop(), start: () => server.start(), maxFailMs: 1000 })
  // Default ioredis options queue commands while disconnected: the store's own timeout answers.
  suite('redis, default ioredis options', {}, { keyPrefix: 'sp-default:', timeoutMs: 500 }, { stop: () => server.stop(), start: () => server.start(), maxFailMs: 1500 })
  // A frozen server keeps the connection open and never answers: only the timeout can tell.
  suite('redis, frozen server', RECOMMENDED, { keyPrefix: 'sp-frozen:', timeoutMs: 500 }, { stop: () => server.pause(), start: () => server.resume(), maxFailMs: 1500 })

  describe('redisStore specifics', () => {
    let client: Redis
    let store: OwnershipStore
    const prefix = `sp-specifics-${process.pid}:`
    beforeAll(async () => {
      client = await connect(RECOMMENDED)
      store = redisStore({ client, keyPrefix: prefix })
    })

    it('lets Redis expire pending records and tickets at their deadline, and never committed records', async () => {
      const r = record('ttl/a')
      await store.create(r, T)
      expect(await client.call('PEXPIRETIME', `${prefix}r:ttl/a`)).toBe(r.purgeAt)
      expect(Number(await client.zscore(`${prefix}exp`, 'r:ttl/a'))).toBe(r.purgeAt)
      await store.transition('ttl/a', 'pending', 'committed', { purgeAt: undefined }, T)
      expect(await client.call('PEXPIRETIME', `${prefix}r:ttl/a`)).toBe(-1)
      expect(await client.zscore(`${prefix}exp`, 'r:ttl/a')).toBeNull()
      await store.putTicket({ hash: 'ttl-h', key: 'ttl/a', requester: 'u2', createdAt: T, expiresAt: T + 60_000 }, T)
      // Kept an hour past expiresAt, so that a late redeem is told `expired`, not `missing`.
      expect(await client.call('PEXPIRETIME', `${prefix}t:ttl-h`)).toBe(T + 60_000 + EXPIRED_TICKET_RETENTION_MS)
    })

    it('says `expired` for a ticket redeemed after its deadline by the real clock, and sweep() removes it', async () => {
      const now = Date.now()
      await store.putTicket({ hash: 'late-h', key: 'late/a', requester: 'u', createdAt: now, expiresAt: now + 50 }, now)
      await new Promise((resolve) => setTimeout(resolve, 120))
      const later = Date.now()
      expect(await store.consumeTicket('late-h', later)).toMatchObject({ status: 'expired', ticket: { hash: 'late-h', key: 'late/a' } })
      expect(await store.sweep(later)).toBeGreaterThanOrEqual(1)
      expect(await store.consumeTicket('late-h', later)).toEqual({ status: 'missing' })
    })

    it('stores numbers beyond 14 significant digits exactly, through create and transition', async () => {
      const r = record('big', { maxSize: Number.MAX_SAFE_INTEGER, createdAt: T + 0.5, purgeAt: T + 3_600_000.25 })
      await store.create(r, T)
      expect(await store.get('big', T)).toEqual(r)
      const settled = await store.transition('big', 'pending', 'rejected', { settledAt: 2 ** 52 + 1, purgeAt: T + 7_200_000.75 }, T)
      expect(settled).toEqual({ ...r, state: 'rejected', settledAt: 2 ** 52 + 1, purgeAt: T + 7_200_000.75 })
      expect(await store.get('big', T + 7_200_000.5)).toEqual(settled)
      expect(await store.get('big', T + 7_200_000.75)).toBeUndefined()
    })

    it('keeps multipart in the record JSON, which transition leaves byte for byte as it was', async () => {
      const multipart = { uploadId: `2~${'a.b_c-d+e/f='.repeat(80)}`, partSize: 5 * 1024 ** 3, partCount: 1024 }
      const r = record('multipart', { minSize: 5 * 1024 ** 4, maxSize: 5 * 1024 ** 4, multipart })
      await store.create(r, T)
      const [stateLine, recordLine] = (await client.get(`${prefix}r:multipart`))!.split('\n')
      expect(stateLine).not.toContain('multipart')
      expect(JSON.parse(recordLine!)).toMatchObject({ maxSize: 5_497_558_138_880, multipart })
      // Lua's cjson would print 5497558138880 as 5.4975581389e+12 and `/` as `\/`: it never re-encodes this line.
      await store.transition('multipart', 'pending', 'rejected', { reason: 'X', purgeAt: T + 7_200_000 }, T)
      expect((await client.get(`${prefix}r:multipart`))!.split('\n')[1]).toBe(recordLine)
      expect(await store.get('multipart', T)).toStrictEqual({ ...r, state: 'rejected', reason: 'X', purgeAt: T + 7_200_000 })
    })

    it('keeps transition strings intact through Lua (unicode, slashes, quotes, newlines)', async () => {
      await store.create(record('strings'), T)
      const patch = { reason: 'Ü/😀 "quoted" \\ back\nslash\u0001', sniffedType: 'text/plain; charset=utf-8' }
      expect(await store.transition('strings', 'pending', 'rejected', patch, T)).toEqual({ ...record('strings'), ...patch, state: 'rejected' })
      expect(await store.get('strings', T)).toEqual({ ...record('strings'), ...patch, state: 'rejected' })
      const error = await rejection(store.transition('strings', 'rejected', 'committed', { reason: 'x\uD800' }, T))
      expect(isSafePresignError(error) && error.code).toBe('INVALID_REQUEST')
      expect(await store.get('strings', T)).toMatchObject({ state: 'rejected' })
    })

    it('keeps stores with different key prefixes apart', async () => {
      const other = redisStore({ client, keyPrefix: `${prefix}other:` })
      await store.create(record('shared/key'), T)
      expect(await other.get('shared/key', T)).toBeUndefined()
      expect(await other.create(record('shared/key', { owner: 'u2' }), T)).toBe(true)
      expect(await store.get('shared/key', T)).toMatchObject({ owner: 'u1' })
    })

    it('reads 1000 keys with one Redis command, an MGET', async () => {
      const keys = Array.from({ length: 1000 }, (_, i) => `one-trip/${i}`)
      await Promise.all(keys.slice(0, 10).map((k) => store.create(record(k), T)))
      const sent = vi.spyOn(client, 'sendCommand')
      expect((await store.getMany(keys, T)).size).toBe(10)
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['mget'])
      sent.mockRestore()
    })

    it('reloads its scripts when Redis has lost them (restart, SCRIPT FLUSH)', async () => {
      await client.script('FLUSH')
      expect(await store.create(record('flushed'), T)).toBe(true)
      expect(await store.transition('flushed', 'pending', 'committed', {}, T)).toMatchObject({ state: 'committed' })
    })

    it('reports a value it cannot decode as STORE_UNAVAILABLE, not a crash', async () => {
      await client.set(`${prefix}r:corrupt`, 'not a record')
      const error = await rejection(store.get('corrupt', T))
      expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
      expect(error.message).toMatch(/^redisStore: get failed: /)
    })

    it("indexes pending records per owner, scored by when they stop counting, and expires the index with its last grant", async () => {
      const owner = `${prefix}quota-owner`
      const set = `${prefix}o:${owner}`
      const first = record('quota/1', { owner, expiresAt: T + 300_000 })
      const second = record('quota/2', { owner, expiresAt: T + 2 * 3_600_000 }) // purgeAt (T + 1 h) comes first
      expect(await store.create(first, T, { maxPendingPerOwner: 5 })).toBe(true)
      expect(await store.create(second, T, { maxPendingPerOwner: 5 })).toBe(true)
      expect(await client.zrange(set, 0, -1, 'WITHSCORES')).toEqual(['quota/1', String(T + 300_000), 'quota/2', String(T + 3_600_000)])
      expect(await client.call('PEXPIRETIME', set)).toBe(Math.ceil(T + 3_600_000))
      await store.transition('quota/2', 'pending', 'committed', { purgeAt: undefined }, T)
      await store.delete('quota/1')
      // Empty: Redis removed the set itself.
      expect(await client.exists(set)).toBe(0)
    })

    it('checks the quota in the one create script: a single EVALSHA', async () => {
      const sent = vi.spyOn(client, 'sendCommand')
      expect(await store.create(record('quota/one-trip', { owner: `${prefix}one-trip` }), T, { maxPendingPerOwner: 1 })).toBe(true)
      expect(await store.create(record('quota/one-trip-2', { owner: `${prefix}one-trip` }), T, { maxPendingPerOwner: 1 })).toBe('over-quota')
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha', 'evalsha'])
      sent.mockRestore()
    })

    it('reads and transitions a record written by 0.1.0 (owner and expiresAt in the record JSON), which the quota does not count', async () => {
      const old = record('quota/v010', { owner: `${prefix}v010` })
      const { state, purgeAt, owner: _o, ...fixed } = old
      await client.set(`${prefix}r:quota/v010`, `${JSON.stringify({ state, purgeAt: String(purgeAt) })}\n${JSON.stringify({ ...fixed, owner: old.owner })}`)
      expect(await store.get('quota/v010', T)).toEqual(old)
      expect(await store.create(record('quota/v020', { owner: old.owner }), T, { maxPendingPerOwner: 1 })).toBe(true)
      expect(await store.transition('quota/v010', 'pending', 'committed', { purgeAt: undefined }, T)).toEqual({ ...old, state: 'committed', purgeAt: undefined })
    })

    it('refuses an owner with a lone surrogate (it becomes part of a Redis key) with INVALID_REQUEST', async () => {
      const error = await rejection(store.create(record('quota/surrogate', { owner: 'eve\uD800' }), T, { maxPendingPerOwner: 1 }))
      expect(isSafePresignError(error) && error.code).toBe('INVALID_REQUEST')
      expect(await store.get('quota/surrogate', T)).toBeUndefined()
    })

    it('refuses a key with a lone surrogate, which Redis would merge with U+FFFD', async () => {
      const error = await rejection(store.get('a\uD800', T))
      expect(isSafePresignError(error) && error.code).toBe('INVALID_KEY')
      expect(await store.get('a\uFFFD', T)).toBeUndefined()
    })
  })
})

describe('redisStore without a server', () => {
  it('rejects bad options when it is built', () => {
    const client = new Redis({ lazyConnect: true })
    expect(() => redisStore({ client, timeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`timeoutMs`') }))
    expect(() => redisStore({ client: {} as Redis })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`client`') }))
    client.disconnect()
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'app:' })
    expect(() => redisStore({ client: prefixed })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`client.options.keyPrefix`') }))
    prefixed.disconnect()
  })

  it('fails at once with STORE_UNAVAILABLE naming the operation when the recommended client is not connected', async () => {
    const client = new Redis({ port: await freePort(), lazyConnect: true, ...RECOMMENDED })
    const error = await rejection(redisStore({ client }).consumeTicket('h', T))
    expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
    expect(error.message).toMatch(/^redisStore: consumeTicket failed: .*`timeoutMs` 2000 ms/)
    expect(error.cause).toBeInstanceOf(Error)
    client.disconnect()
  })

  it('gives up after timeoutMs, naming the operation and the limit, when a default client queues commands', async () => {
    const client = new Redis({ port: await freePort(), lazyConnect: true })
    client.on('error', () => {})
    const error = await rejection(redisStore({ client, timeoutMs: 100 }).create(record('q'), T))
    expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
    expect(error.message).toBe('redisStore: create got no answer within `timeoutMs` (100 ms)')
    client.disconnect()
  })
})
