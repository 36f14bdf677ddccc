// The DynamoDB store against dynalite on loopback: the shared conformance suite (with an outage in
// the middle), then what only this store has: createTable(), TTL, batching, timeouts.
import { createServer, type Socket } from 'node:net'
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSafePresignError } from '../../../src/errors.js'
import { dynamodbStore } from '../../../src/stores/dynamodb.js'
import type { OwnershipStore, UploadRecord } from '../../../src/stores/types.js'
import { testOwnershipStore } from '../../../src/testing/index.js'
import { startDynalite, type DynaliteServer } from '../../helpers/dynalite-server.js'
import { describeWithServer, freePort } from '../../helpers/env.js'

const started = await startDynalite()
const TABLE = 'safe-presign-conformance'
const HOUR = 3_600_000

describeWithServer('dynamodbStore', typeof started === 'string' ? started : undefined, () => {
  const server = started as DynaliteServer
  const clients = new Set<DynamoDBClient>()
  const clientOf = new WeakMap<OwnershipStore, DynamoDBClient>()

  function newClient(extra: DynamoDBClientConfig = {}): DynamoDBClient {
    const client = new DynamoDBClient({ ...server.clientConfig, ...extra })
    clients.add(client)
    return client
  }
  function newStore(options: { tableName?: string; timeoutMs?: number } = {}, client = newClient()) {
    const store = dynamodbStore({ client: DynamoDBDocumentClient.from(client), tableName: TABLE, ...options })
    clientOf.set(store, client)
    return store
  }
  const record = (key: string, t: number, extra: Partial<UploadRecord> = {}): UploadRecord => ({
    key, owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: t, expiresAt: t + 1, purgeAt: t + HOUR, ...extra,
  })

  beforeAll(async () => {
    const admin = newClient()
    await newStore({}, admin).createTable(admin)
  })

  afterAll(async () => {
    for (const client of clients) client.destroy()
    await server.destroy()
  })

  testOwnershipStore({
    name: 'dynamodb',
    // dynalite runs on this process's event loop, and each request costs ~8 ms of CPU here (SDK
    // serde and signing plus the emulator), so the 200-way race queues for seconds. An outage
    // still fails fast: refused connections don't wait for the deadline.
    create: () => newStore({ timeoutMs: 20_000 }),
    cleanup: (store) => {
      const client = clientOf.get(store)
      clients.delete(client!)
      client?.destroy()
    },
    fault: { stop: () => server.stop(), start: () => server.start() },
  })

  describe('the table', () => {
    it('createTable() with no argument sends through the store\'s own document client: a new user\'s first call', async () => {
      const client = newClient()
      const store = newStore({ tableName: 'first-call-table' }, client)
      await store.createTable()
      await store.createTable() // idempotent this way too
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'first-call-table' }))
      expect(Table?.TableStatus).toBe('ACTIVE')
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }])
      const t = Date.now() + HOUR
      expect(await store.create(record('first', t), t)).toBe(true)
      expect(await store.get('first', t)).toEqual(record('first', t))
    })

    it.each([
      ['an object without send()', {}, 'got object'],
      ['null', null, 'got null'],
      ['a connection string', 'http://localhost:8000', 'got string'],
    ])('createTable(%s) fails with INVALID_CONFIG naming the option, before any request', async (_, given, got) => {
      const store = newStore({ tableName: 'never-created' })
      const error = await store.createTable(given as never).catch((e: unknown) => e)
      expect(isSafePresignError(error)).toBe(true)
      expect((error as { code: string }).code).toBe('INVALID_CONFIG')
      expect((error as Error).message).toContain('`client` must be a DynamoDBClient or DynamoDBDocumentClient')
      expect((error as Error).message).toContain(got)
      expect((error as { details: unknown }).details).toMatchObject({ option: 'client', operation: 'createTable', tableName: 'never-created' })
      const error2 = await clientOf.get(store)!.send(new DescribeTableCommand({ TableName: 'never-created' })).catch((e: { name?: string }) => e.name)
      expect(error2).toBe('ResourceNotFoundException')
    })

    it('createTable() makes a working on-demand table keyed by pk, and is idempotent', async () => {
      const admin = newClient()
      const store = newStore({ tableName: 'fresh-table' }, admin)
      await store.createTable(admin)
      await store.createTable(admin)
      const { Table } = await admin.send(new DescribeTableCommand({ TableName: 'fresh-table' }))
      expect(Table?.TableStatus).toBe('ACTIVE')
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }])
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST')
      const t = Date.now() + HOUR
      expect(await store.create(record('k', t), t)).toBe(true)
      expect(await store.get('k', t)).toEqual(record('k', t))
    })

    it('tableDefinition() declares TTL on `ttl` and only the key attribute', () => {
      const definition = newStore().tableDefinition()
      expect(definition).toMatchObject({
        TableName: TABLE,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      })
    })

    it('writes `ttl` in epoch seconds, at or after purgeAt, and drops it when a record is committed', async () => {
      const admin = newClient()
      const store = newStore({}, admin)
      const t = Date.now() + HOUR
      const r = record(`ttl/${t}`, t, { purgeAt: t + 1234 })
      await store.create(r, t)
      const raw = async () => (await admin.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `r#${r.key}` } }, ConsistentRead: true }))).Item
      expect((await raw())?.ttl).toEqual({ N: String(Math.ceil((t + 1234) / 1000)) })
      await store.transition(r.key, 'pending', 'committed', { purgeAt: undefined }, t)
      expect((await raw())?.ttl).toBeUndefined()
      await store.putTicket({ hash: `ttl/${t}`, key: r.key, requester: 'u', createdAt: t, expiresAt: t + 999 }, t)
      const ticket = await admin.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `t#ttl/${t}` } }, ConsistentRead: true }))
      expect(ticket.Item?.ttl).toEqual({ N: String(Math.ceil((t + 999) / 1000)) })
    })

    it('stores multipart as a map of a string and two numbers, and reads it back through a wrapNumbers client', async () => {
      const admin = newClient()
      const t = Date.now() + HOUR
      const multipart = { uploadId: `2~${'a.b_c-d+e/f='.repeat(80)}`, partSize: 5 * 1024 ** 3, partCount: 1024 }
      const r = record(`multipart/${t}`, t, { minSize: 5 * 1024 ** 4, maxSize: 5 * 1024 ** 4, multipart })
      await newStore({}, admin).create(r, t)
      const raw = (await admin.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `r#${r.key}` } }, ConsistentRead: true }))).Item
      expect(raw?.multipart).toEqual({ M: { uploadId: { S: multipart.uploadId }, partSize: { N: '5368709120' }, partCount: { N: '1024' } } })
      expect(raw?.maxSize).toEqual({ N: '5497558138880' })
      // With wrapNumbers every number, nested ones included, comes back as a NumberValue.
      const wrapped = dynamodbStore({ client: DynamoDBDocumentClient.from(newClient(), { unmarshallOptions: { wrapNumbers: true } }), tableName: TABLE })
      expect(await wrapped.get(r.key, t)).toStrictEqual(r)
      const { purgeAt: _, ...permanent } = r
      expect(await wrapped.transition(r.key, 'pending', 'committed', { purgeAt: undefined }, t)).toStrictEqual({ ...permanent, state: 'committed' })
    })

    it('fails with STORE_UNAVAILABLE pointing at createTable() when the table is missing', async () => {
      const error = await newStore({ tableName: 'no-such-table' }).get('k', Date.now()).catch((e: unknown) => e)
      expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
      expect((error as Error).message).toMatch(/^dynamodbStore\.get failed: .*createTable\(\)/)
    })
  })

  describe('the per-owner quota', () => {
    const WEEK = 7 * 24 * HOUR
    let admin: DynamoDBClient
    let commands: string[]
    let store: ReturnType<typeof newStore>
    beforeAll(async () => {
      admin = newClient()
      await newStore({ tableName: 'quota-table' }, admin).createTable(admin)
      const client = newClient()
      commands = []
      client.middlewareStack.add((next, context) => (args) => (commands.push(context.commandName ?? '?'), next(args)), { step: 'initialize' })
      store = newStore({ tableName: 'quota-table' }, client)
    })
    const raw = async (pk: string): Promise<Record<string, unknown>> =>
      (await DynamoDBDocumentClient.from(admin).send(new GetCommand({ TableName: 'quota-table', Key: { pk }, ConsistentRead: true }))).Item ?? {}
    const slotsOf = (item: Record<string, unknown>) => Object.keys(item).filter((name) => name.startsWith('s_')).sort()

    it('keeps one owner item: a slot per pending record valued with when it stops counting, n, and a ttl a week past the last', async () => {
      const t = Date.now() + HOUR
      const first = record(`quota/${t}/1`, t, { owner: `layout-${t}`, expiresAt: t + 300_000 })
      const second = record(`quota/${t}/2`, t, { owner: first.owner, expiresAt: t + 2 * HOUR }) // purgeAt (t + 1 h) comes first
      expect(await store.create(first, t, { maxPendingPerOwner: 2 })).toBe(true)
      expect(await store.create(second, t, { maxPendingPerOwner: 2 })).toBe(true)
      const owner = await raw(`o#${first.owner}`)
      const slots = [(await raw(`r#${first.key}`)).quotaSlot, (await raw(`r#${second.key}`)).quotaSlot] as string[]
      expect(slotsOf(owner)).toEqual([...slots].sort())
      expect(owner).toMatchObject({ n: 2, [slots[0]!]: t + 300_000, [slots[1]!]: t + HOUR, ttl: Math.ceil((t + HOUR + WEEK) / 1000) })
      expect(await store.get(first.key, t)).toEqual(first) // the slot attribute stays out of the record

      await store.transition(first.key, 'pending', 'committed', { purgeAt: undefined }, t)
      expect(await raw(`o#${first.owner}`)).toMatchObject({ n: 1 })
      expect(slotsOf(await raw(`o#${first.owner}`))).toEqual([slots[1]])
      await store.delete(second.key)
      expect(await raw(`o#${first.owner}`)).toMatchObject({ n: 0 })
      expect(slotsOf(await raw(`o#${first.owner}`))).toEqual([])
    })

    it('costs UpdateItem + PutItem per grant, UpdateItem + GetItem per refusal, and prunes stale slots only when a claim fails on them', async () => {
      const t = Date.now() + HOUR
      const owner = `cost-${t}`
      const r = (i: number, extra: Partial<UploadRecord> = {}) => record(`cost/${t}/${i}`, t, { owner, expiresAt: t + 300_000, ...extra })
      commands.length = 0
      expect(await store.create(r(1, { expiresAt: t + 10 }), t, { maxPendingPerOwner: 1 })).toBe(true)
      expect(commands).toEqual(['UpdateItemCommand', 'PutItemCommand'])
      commands.length = 0
      expect(await store.create(r(2), t + 9, { maxPendingPerOwner: 1 })).toBe('over-quota')
      expect(commands).toEqual(['UpdateItemCommand', 'GetItemCommand'])
      commands.length = 0
      expect(await store.create(r(2), t + 10, { maxPendingPerOwner: 1 })).toBe(true)
      // Claim refused (n = 1), read, remove the stale slot, claim again, write the record.
      expect(commands).toEqual(['UpdateItemCommand', 'GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'PutItemCommand'])
      expect(await raw(`o#${owner}`)).toMatchObject({ n: 1 })
      commands.length = 0
      // A key conflict gives the slot back.
      expect(await store.create(r(2), t + 10)).toBe(false)
      expect(commands).toEqual(['UpdateItemCommand', 'PutItemCommand', 'UpdateItemCommand'])
      expect(await raw(`o#${owner}`)).toMatchObject({ n: 1 })
    })

    it('sweep() removes an owner item once its ttl has passed, without counting it', async () => {
      const t = Date.now() + HOUR
      const owner = `swept-${t}`
      const r = record(`swept/${t}`, t, { owner })
      await store.create(r, t, { maxPendingPerOwner: 1 })
      await store.transition(r.key, 'pending', 'committed', { purgeAt: undefined }, t)
      const ttl = (await raw(`o#${owner}`)).ttl as number
      // The first sweep also removes the earlier tests' records in this table (purged by then).
      await store.sweep(ttl * 1000 - 1000)
      expect(await raw(`o#${owner}`)).toMatchObject({ n: 0 })
      expect(await store.sweep(ttl * 1000)).toBe(0)
      expect(await raw(`o#${owner}`)).toEqual({})
      expect(await store.get(r.key, ttl * 1000)).toMatchObject({ state: 'committed' })
    })

    it('rejects a malformed maxPendingPerOwner with INVALID_REQUEST naming it, and sends nothing', async () => {
      commands.length = 0
      const t = Date.now() + HOUR
      await expect(store.create(record(`bad/${t}`, t), t, { maxPendingPerOwner: 1.5 })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('`maxPendingPerOwner` is 1.5'),
      })
      expect(commands).toEqual([])
    })
  })

  describe('getMany', () => {
    it('reads 250 keys in ceil(250/100) = 3 parallel BatchGetItem requests', async () => {
      const client = newClient()
      const commands: string[] = []
      client.middlewareStack.add((next, context) => (args) => (commands.push(context.commandName ?? '?'), next(args)), { step: 'initialize' })
      // Generous timeoutMs: 250 parallel creates queue on dynalite, which shares this event loop.
      const store = newStore({ timeoutMs: 20_000 }, client)
      const t = Date.now() + HOUR
      const records = Array.from({ length: 250 }, (_, i) => record(`batch/${t}/${i}`, t, { owner: `o${i}` }))
      await Promise.all(records.map((r) => store.create(r, t)))
      commands.length = 0
      const found = await store.getMany([...records.map((r) => r.key), `batch/${t}/missing`], t)
      expect(found.size).toBe(250)
      for (const r of records) expect(found.get(r.key)).toEqual(r)
      expect(commands).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'BatchGetItemCommand'])
      commands.length = 0
      expect(await store.getMany([], t)).toEqual(new Map())
      expect(commands).toEqual([])
    })
  })

  describe('configuration and timeouts', () => {
    it.each(['', 'ab', 'has space', 'x'.repeat(256), 'tab/le'])('rejects tableName %j with INVALID_CONFIG naming it', (tableName) => {
      expect(() => dynamodbStore({ client: DynamoDBDocumentClient.from(newClient()), tableName })).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(`\`tableName\` is ${JSON.stringify(tableName)}`) }),
      )
    })

    it('rejects a bad timeoutMs and a missing client', () => {
      const client = DynamoDBDocumentClient.from(newClient())
      for (const timeoutMs of [0, 2 ** 31]) {
        expect(() => dynamodbStore({ client, tableName: TABLE, timeoutMs })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('from 1 to 2147483647') }))
      }
      expect(() => dynamodbStore({ tableName: TABLE } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }))
    })

    it('rejects within timeoutMs when the endpoint accepts connections but never answers', async () => {
      const sockets = new Set<Socket>()
      const blackhole = createServer((socket) => sockets.add(socket))
      const port = await freePort()
      await new Promise<void>((resolve) => blackhole.listen(port, '127.0.0.1', resolve))
      try {
        const store = newStore({ timeoutMs: 300 }, newClient({ endpoint: `http://127.0.0.1:${port}` }))
        for (const call of [() => store.get('k', 0), () => store.getMany(['a', 'b'], 0), () => store.consumeTicket('h', 0)]) {
          const began = performance.now()
          const error = await call().catch((e: unknown) => e)
          const took = performance.now() - began
          expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('no answer within timeoutMs (300 ms)') })
          expect(took).toBeGreaterThanOrEqual(290)
          expect(took).toBeLessThan(1000)
        }
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => blackhole.close(resolve))
      }
    })
  })
})
