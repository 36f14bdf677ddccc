import { describe, expect, it } from 'vitest'
import { isSafePresignError } from '../../../src/errors.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { TicketRecord, UploadRecord } from '../../../src/stores/types.js'
import { testOwnershipStore } from '../../../src/testing/index.js'

// One backing store for both `create()` calls: a memory store has no second connection, and
// sharing it is what lets the race tests see each other's writes.
const shared = memoryStore()
testOwnershipStore({ name: 'memory', create: () => shared })

const T = 1_700_000_000_000

function record(key: string, extra: Partial<UploadRecord> = {}): UploadRecord {
  return { key, owner: 'u1', state: 'pending', contentType: 'image/png', minSize: 1, maxSize: 100, createdAt: T, expiresAt: T + 300_000, purgeAt: T + 3_600_000, ...extra }
}

function ticket(hash: string, extra: Partial<TicketRecord> = {}): TicketRecord {
  return { hash, key: 'k', requester: 'u2', createdAt: T, expiresAt: T + 60_000, ...extra }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
}

describe('memoryStore bounds', () => {
  it('refuses a create when full of live records, naming maxRecords and its value, and keeps every owner', async () => {
    const store = memoryStore({ maxRecords: 2 })
    await store.create(record('a'), T)
    await store.create(record('b', { state: 'committed', purgeAt: undefined }), T)
    const error = await rejection(store.create(record('c'), T))
    expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
    expect((error as Error).message).toContain('`maxRecords` = 2')
    expect(await store.get('a', T)).toEqual(record('a'))
    expect(await store.get('b', T)).toMatchObject({ owner: 'u1', state: 'committed' })
    expect(await store.get('c', T)).toBeUndefined()
  })

  it('drops expired records to make room, and replaces an expired record in place when full', async () => {
    const store = memoryStore({ maxRecords: 2 })
    await store.create(record('old', { purgeAt: T + 10 }), T)
    await store.create(record('live'), T)
    expect(await store.create(record('old', { owner: 'u9' }), T + 10)).toBe(true)
    expect(await store.get('old', T + 10)).toMatchObject({ owner: 'u9' })
    await store.transition('old', 'pending', 'rejected', { purgeAt: T + 20 }, T + 11)
    expect(await store.create(record('new'), T + 20)).toBe(true)
    expect(await store.getMany(['old', 'live', 'new'], T)).toEqual(new Map([['live', record('live')], ['new', record('new')]]))
  })

  it('refuses a ticket when full of unexpired tickets, naming maxTickets, and drops expired (even used) ones to make room', async () => {
    const store = memoryStore({ maxTickets: 1 })
    await store.putTicket(ticket('h1'), T)
    await store.consumeTicket('h1', T + 1)
    const error = await rejection(store.putTicket(ticket('h2'), T + 59_999))
    expect(isSafePresignError(error) && error.code).toBe('STORE_UNAVAILABLE')
    expect((error as Error).message).toContain('`maxTickets` = 1')
    expect(await store.putTicket(ticket('h2', { expiresAt: T + 120_000 }), T + 60_000)).toBe(true)
    expect(await store.consumeTicket('h1', T)).toEqual({ status: 'missing' })
  })

  it.each([0, -1, 1.5, Number.NaN, Infinity])('rejects %s as maxRecords or maxTickets when the store is built', (value) => {
    expect(() => memoryStore({ maxRecords: value })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`maxRecords`') }))
    expect(() => memoryStore({ maxTickets: value })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('`maxTickets`') }))
  })
})

describe('memoryStore copies', () => {
  it('is not changed by mutating what went in or what came out', async () => {
    const store = memoryStore()
    const input = record('k', { checksum: { algorithm: 'sha256', value: 'abc=' } })
    await store.create(input, T)
    input.owner = 'attacker'
    input.checksum!.value = 'evil='
    const got = (await store.get('k', T))!
    got.state = 'committed'
    got.checksum!.value = 'evil='
    ;(await store.getMany(['k'], T)).get('k')!.maxSize = 10 ** 12
    const moved = (await store.transition('k', 'pending', 'rejected', { reason: 'X' }, T))!
    moved.reason = 'changed'
    moved.checksum!.value = 'evil='
    expect(await store.get('k', T)).toEqual(record('k', { state: 'rejected', reason: 'X', checksum: { algorithm: 'sha256', value: 'abc=' } }))

    const tk = ticket('h')
    await store.putTicket(tk, T)
    tk.requester = 'attacker'
    const first = await store.consumeTicket('h', T + 1)
    if (first.status !== 'ok') throw new Error(first.status)
    delete first.ticket.usedAt
    expect(await store.consumeTicket('h', T + 2)).toEqual({ status: 'used', ticket: ticket('h', { usedAt: T + 1 }) })
  })

  it('is not changed by mutating the multipart plan that went in or came out', async () => {
    const store = memoryStore()
    const plan = { uploadId: 'up-1', partSize: 5 * 1024 ** 3, partCount: 1024 }
    const input = record('mp', { multipart: { ...plan } })
    await store.create(input, T)
    input.multipart!.uploadId = 'attacker'
    ;(await store.get('mp', T))!.multipart!.partCount = 1
    ;(await store.getMany(['mp'], T)).get('mp')!.multipart!.partSize = 1
    ;(await store.transition('mp', 'pending', 'rejected', { reason: 'X' }, T))!.multipart!.uploadId = 'changed'
    expect((await store.get('mp', T))!.multipart).toStrictEqual(plan)
  })

  it('ignores patch fields other than purgeAt, settledAt, reason and sniffedType', async () => {
    const store = memoryStore()
    await store.create(record('k'), T)
    const patch = { owner: 'attacker', maxSize: 10 ** 12, settledAt: T + 1 } as unknown as Parameters<typeof store.transition>[3]
    expect(await store.transition('k', 'pending', 'committed', patch, T + 1)).toEqual(record('k', { state: 'committed', settledAt: T + 1 }))
  })
})

describe('memoryStore quota', () => {
  it.each([0, -1, 1.5, Number.NaN, Infinity])("rejects maxPendingPerOwner %s with INVALID_REQUEST naming it, and writes nothing", async (value) => {
    const store = memoryStore()
    const error = await rejection(store.create(record('k'), T, { maxPendingPerOwner: value }))
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining(`\`maxPendingPerOwner\` is ${String(value)}`) })
    expect(await store.get('k', T)).toBeUndefined()
  })

  it('counts only pending records: a record created committed takes no slot', async () => {
    const store = memoryStore()
    expect(await store.create(record('c', { state: 'committed', purgeAt: undefined }), T, { maxPendingPerOwner: 1 })).toBe(true)
    expect(await store.create(record('p'), T, { maxPendingPerOwner: 1 })).toBe(true)
    expect(await store.create(record('q'), T, { maxPendingPerOwner: 1 })).toBe('over-quota')
  })

  it('counts a record moved back into pending, and one replaced after its purgeAt only under its new owner', async () => {
    const store = memoryStore()
    await store.create(record('a', { purgeAt: T + 10 }), T)
    await store.transition('a', 'pending', 'rejected', { reason: 'X' }, T)
    expect(await store.create(record('b'), T, { maxPendingPerOwner: 1 })).toBe(true)
    await store.transition('b', 'pending', 'committed', { purgeAt: undefined }, T)
    await store.transition('a', 'rejected', 'pending', {}, T)
    expect(await store.create(record('c'), T, { maxPendingPerOwner: 1 })).toBe('over-quota')
    // 'a' passes its purgeAt and is re-created for another owner: u1's slot is free, u2 holds one.
    expect(await store.create(record('a', { owner: 'u2' }), T + 10, { maxPendingPerOwner: 1 })).toBe(true)
    expect(await store.create(record('c'), T + 10, { maxPendingPerOwner: 1 })).toBe(true)
    expect(await store.create(record('d', { owner: 'u2' }), T + 10, { maxPendingPerOwner: 1 })).toBe('over-quota')
  })
})
