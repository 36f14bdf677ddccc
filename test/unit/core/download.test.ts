// createSafeDownload: every link is checked against the ownership store first. Signing needs no
// network: the client has static fake credentials and is never sent a request.
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { beforeEach, describe, expect, it } from 'vitest'
import { createSafeDownload, type SafeDownloadConfig } from '../../../src/download.js'
import { contentDisposition } from '../../../src/key/content-disposition.js'
import { memoryStore } from '../../../src/stores/memory.js'
import { MAX_BATCH_KEYS } from '../../../src/limits.js'
import type { SafePresignError } from '../../../src/errors.js'
import type { OwnershipStore, TicketRecord, UploadRecord } from '../../../src/stores/types.js'
import { failure, params, record, s3Client, T } from './fixtures.js'

const key = (n: number, ext = '.png') => `uploads/00000000-0000-4000-8000-${String(n).padStart(12, '0')}${ext}`
const OWNED = key(1)
const OTHERS = key(2)
const PENDING = key(3)
const REJECTED = key(4)
const UNKNOWN = key(5)
const NO_NAME = key(6, '.pdf')
const WILD = key(7, '')
const WILD_UNKNOWN = key(8, '')

const client = s3Client()
let store: OwnershipStore
let clock: number

/** Counts every store call, so tests can prove one round trip. */
function counting(inner: OwnershipStore) {
  const calls: { method: string; args: unknown[] }[] = []
  const wrapped = Object.fromEntries(
    Object.entries(inner).map(([method, fn]) => [method, (...args: unknown[]) => (calls.push({ method, args }), (fn as (...a: unknown[]) => unknown)(...args))]),
  ) as unknown as OwnershipStore
  return { store: wrapped, calls, count: (method: string) => calls.filter((c) => c.method === method).length }
}

function downloader(config: Partial<SafeDownloadConfig> = {}) {
  return createSafeDownload({ client, bucket: 'photos-bucket', store, now: () => clock, ...config })
}

beforeEach(async () => {
  clock = T
  store = memoryStore()
  const seed: UploadRecord[] = [
    record(OWNED),
    record(OTHERS, { owner: 'bob' }),
    record(PENDING, { state: 'pending', settledAt: undefined, sniffedType: undefined, purgeAt: T + 3_600_000 }),
    record(REJECTED, { state: 'rejected', reason: 'CONTENT_MISMATCH', purgeAt: T + 3_600_000 }),
    record(NO_NAME, { filename: undefined, contentType: 'application/pdf', sniffedType: 'application/pdf' }),
    record(WILD, { contentType: 'image/*', sniffedType: 'image/webp', filename: 'ünï.webp' }),
    record(WILD_UNKNOWN, { contentType: 'image/*', sniffedType: 'unknown' }),
  ]
  for (const r of seed) expect(await store.create(r, T)).toBe(true)
})

describe('presign: the owner gets an attachment link with a pinned type', () => {
  it.each([
    { name: 'exact type, filename', k: OWNED, disposition: contentDisposition('holiday photo.png'), type: 'image/png' },
    { name: 'no filename', k: NO_NAME, disposition: 'attachment', type: 'application/pdf' },
    { name: 'image/* grant, served as the sniffed type', k: WILD, disposition: contentDisposition('ünï.webp'), type: 'image/webp' },
    { name: 'image/* grant, unsniffable, served as octet-stream', k: WILD_UNKNOWN, disposition: contentDisposition('holiday photo.png'), type: 'application/octet-stream' },
  ])('$name', async ({ k, disposition, type }) => {
    const link = await downloader().presign({ key: k, requester: 'alice' })
    const q = params(link.url)
    expect(q.get('response-content-disposition')).toBe(disposition)
    expect(q.get('response-content-type')).toBe(type)
    expect(q.get('response-cache-control')).toBe('private, no-store')
    expect(new URL(link.url).pathname).toBe(`/${k}`)
    expect(link.expiresAt).toBe(T + 60_000)
    // The same request the SDK would presign for GetObject with those response overrides.
    const sdk = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'photos-bucket', Key: k, ResponseCacheControl: 'private, no-store', ResponseContentDisposition: disposition, ResponseContentType: type }), {
      expiresIn: 60,
      signingDate: new Date(T),
    })
    expect(link.url).toBe(sdk)
  })

  it('quotes an awkward filename safely: ASCII fallback and RFC 5987 form', async () => {
    await store.create(record(key(9), { filename: 'r\u00e9sum\u00e9 "final"; x=1.pdf', contentType: 'application/pdf' }), T)
    const link = await downloader().presign({ key: key(9), requester: 'alice' })
    expect(params(link.url).get('response-content-disposition')).toBe(`attachment; filename="r_sum_ _final__ x=1.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20_final_%3B%20x%3D1.pdf`)
  })
})

describe('presign: who may read', () => {
  it('another requester → FORBIDDEN, naming both', async () => {
    const error = await failure(downloader().presign({ key: OWNED, requester: 'mallory' }))
    expect(error.code).toBe('FORBIDDEN')
    expect(error.message).toBe(`"mallory" may not read "${OWNED}"`)
  })

  it('a non-owner asking for a pending upload learns only FORBIDDEN, not its state', async () => {
    expect((await failure(downloader().presign({ key: PENDING, requester: 'mallory' }))).code).toBe('FORBIDDEN')
  })

  const hooks: { name: string; authorize: SafeDownloadConfig['authorize']; allowed: boolean }[] = [
    { name: 'returns true', authorize: () => true, allowed: true },
    { name: 'resolves true', authorize: async () => true, allowed: true },
    { name: 'returns false', authorize: () => false, allowed: false },
    { name: 'returns "true"', authorize: (() => 'true') as never, allowed: false },
    { name: 'returns 1', authorize: (() => 1) as never, allowed: false },
    { name: 'returns undefined', authorize: (() => undefined) as never, allowed: false },
    { name: 'returns a truthy object', authorize: (() => ({ allowed: true })) as never, allowed: false },
    { name: 'throws', authorize: () => { throw new Error('directory down') }, allowed: false },
    { name: 'rejects', authorize: async () => Promise.reject(new Error('timeout')), allowed: false },
  ]

  it.each(hooks)('authorize $name → allowed: $allowed', async ({ authorize, allowed }) => {
    const seen: [Readonly<UploadRecord>, string][] = []
    const hook = ((r: Readonly<UploadRecord>, requester: string) => (seen.push([r, requester]), authorize!(r, requester))) as SafeDownloadConfig['authorize']
    const result = downloader({ authorize: hook }).presign({ key: OWNED, requester: 'admin' })
    if (allowed) expect(params((await result).url).get('response-content-type')).toBe('image/png')
    else expect((await failure(result)).code).toBe('FORBIDDEN')
    expect(seen).toHaveLength(1)
    expect(seen[0]![1]).toBe('admin')
    expect(seen[0]![0]).toMatchObject({ key: OWNED, owner: 'alice' })
    expect(Object.isFrozen(seen[0]![0])).toBe(true)
  })

  it('authorize is not consulted for the owner, nor for unknown keys', async () => {
    let calls = 0
    const down = downloader({ authorize: () => (calls++, false) })
    await down.presign({ key: OWNED, requester: 'alice' })
    await failure(down.presign({ key: UNKNOWN, requester: 'admin' }))
    expect(calls).toBe(0)
  })

  it('a throwing authorize keeps its error as the cause', async () => {
    const cause = new Error('directory down')
    const error = await failure(downloader({ authorize: () => { throw cause } }).presign({ key: OWNED, requester: 'admin' }))
    expect(error.cause).toBe(cause)
    expect(error.message).toContain('`authorize` threw')
  })
})

describe('presign: what exists', () => {
  it.each([
    { name: 'unknown', k: UNKNOWN, requester: 'alice', code: 'NOT_FOUND' },
    { name: 'rejected', k: REJECTED, requester: 'alice', code: 'NOT_FOUND' },
    { name: 'pending', k: PENDING, requester: 'alice', code: 'NOT_COMMITTED' },
  ])('$name → $code', async ({ k, requester, code }) => {
    const error = await failure(downloader().presign({ key: k, requester }))
    expect(error.code).toBe(code)
    expect(error.message).toContain(k)
  })

  it('NOT_FOUND once a pending record is purged', async () => {
    clock = T + 3_600_000
    expect((await failure(downloader().presign({ key: PENDING, requester: 'alice' }))).code).toBe('NOT_FOUND')
  })
})

describe('presign: INVALID_KEY before the store is asked', () => {
  const id = '00000000-0000-4000-8000-000000000001'
  it.each([
    { name: 'outside the prefix', k: `other/${id}.png`, why: 'outside the prefix "uploads/"' },
    { name: 'a prefix look-alike', k: `uploadsX/${id}.png`, why: 'outside the prefix' },
    { name: 'with ..', k: `uploads/../uploads/${id}.png`, why: '".."' },
    { name: 'with .', k: `uploads/./${id}.png`, why: '"."' },
    { name: 'with an empty segment', k: `uploads//${id}.png`, why: 'empty' },
    { name: 'with a leading slash', k: `/uploads/${id}.png`, why: 'empty' },
    { name: 'not ending in a UUID', k: 'uploads/photo.png', why: 'generated id' },
    { name: 'a UUID in the middle', k: `uploads/${id}/photo.png`, why: 'generated id' },
    { name: 'an upper-case UUID', k: 'uploads/ABCDEF00-0000-4000-8000-00000000000A.png', why: 'generated id' },
    { name: 'a v1 UUID', k: 'uploads/00000000-0000-1000-8000-000000000001.png', why: 'generated id' },
    { name: 'a double extension', k: `uploads/${id}.png.html`, why: 'generated id' },
    { name: 'a control character', k: `uploads/${id}.png\n`, why: 'control characters' },
    { name: 'a lone surrogate', k: `uploads/\ud800/${id}.png`, why: 'lone UTF-16 surrogate' },
    { name: 'too long', k: `uploads/${'a/'.repeat(520)}${id}`, why: 'longer than 1024 bytes' },
    { name: 'empty', k: '', why: 'non-empty string' },
    { name: 'a number', k: 42, why: 'non-empty string' },
  ])('$name', async ({ k, why }) => {
    const spy = counting(store)
    const error = await failure(downloader({ store: spy.store }).presign({ key: k as string, requester: 'alice' }))
    expect(error.code).toBe('INVALID_KEY')
    expect(error.message).toContain(why)
    expect(spy.calls).toEqual([])
  })

  it('a presigned URL pasted as the key: neither the message nor error.details (what loggers print) carries its credential', async () => {
    // A link issued with a short host, so X-Amz-Credential falls inside the 200 characters kept of a value.
    const short = createSafeDownload({ client: s3Client({ endpoint: 'http://s3.local', forcePathStyle: true }), bucket: 'photos-bucket', store, now: () => clock })
    const { url } = await short.presign({ key: OWNED, requester: 'alice' })
    expect(url).toContain('X-Amz-Credential=AKIA')
    const error = await failure(downloader().presign({ key: url, requester: 'alice' }))
    expect(error.code).toBe('INVALID_KEY')
    for (const shown of [error.message, JSON.stringify(error.details), inspect(error), JSON.stringify(error)]) {
      expect(shown).not.toContain('AKIAIOSFODNN7EXAMPLE')
      expect(shown).not.toContain(params(url).get('X-Amz-Signature'))
    }
  })

  it.each([null, undefined, 'alice', 42])('a request that is %j → INVALID_REQUEST from presign, ticket and presignMany, never a TypeError', async (request) => {
    const d = downloader()
    for (const call of [() => d.presign(request as never), () => d.ticket(request as never), () => d.presignMany(request as never)]) {
      const error = await failure(call())
      expect(error.code).toBe('INVALID_REQUEST')
    }
  })

  it.each([undefined, '', '  ', 7, 'bob\ud800', '\udfffbob', 'bob\r\nadmin', 'bob\u0085', 'bob\u2028', 'r'.repeat(1025), ['bob']])('requester %j → INVALID_REQUEST', async (requester) => {
    const error = await failure(downloader().presign({ key: OWNED, requester: requester as string }))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.message).toContain('`requester`')
  })
})

describe('messages and events show bidi, zero-width and control characters as escapes', () => {
  const id = '00000000-0000-4000-8000-000000000009'

  it.each([
    { name: 'U+202E (RLO)', hostile: '\u202e', shown: '\\u202e' },
    { name: 'U+2066 (LRI)', hostile: '\u2066', shown: '\\u2066' },
    { name: 'U+200B (ZWSP)', hostile: '\u200b', shown: '\\u200b' },
    { name: 'U+FEFF (BOM)', hostile: '\ufeff', shown: '\\ufeff' },
  ])('a key with $name: NOT_FOUND and download.denied carry it escaped', async ({ hostile, shown }) => {
    const events: { key?: string }[] = []
    const k = `uploads/gpj${hostile}/${id}.png`
    const error = await failure(downloader({ onEvent: (e) => void events.push(e) }).presign({ key: k, requester: 'alice' }))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toBe(`no upload is recorded under "uploads/gpj${shown}/${id}.png"`)
    expect(error.message).not.toContain(hostile)
    expect(events).toEqual([expect.objectContaining({ type: 'download.denied', key: `uploads/gpj${shown}/${id}.png`, reason: 'NOT_FOUND' })])
    expect(events[0]!.key).not.toContain(hostile)
  })

  it('FORBIDDEN escapes the requester and the key; NOT_COMMITTED the key', async () => {
    const hostileKey = `uploads/a\u2067b/${id}.png`
    await store.create(record(hostileKey, { owner: 'bob' }), T)
    const forbidden = await failure(downloader().presign({ key: hostileKey, requester: 'eve\u202e' }))
    expect(forbidden.code).toBe('FORBIDDEN')
    expect(forbidden.message).toBe(`"eve\\u202e" may not read "uploads/a\\u2067b/${id}.png"`)
    const pendingKey = `uploads/p\u200fq/${id}.png`
    await store.create(record(pendingKey, { state: 'pending', settledAt: undefined, sniffedType: undefined }), T)
    const pending = await failure(downloader().presign({ key: pendingKey, requester: 'alice' }))
    expect(pending.code).toBe('NOT_COMMITTED')
    expect(pending.message).toBe(`the upload "uploads/p\\u200fq/${id}.png" has not been completed and verified yet`)
  })

  it('a 1 MB array as the requester: a short message', async () => {
    const error = await failure(downloader().presign({ key: OWNED, requester: new Array(1024 * 1024).fill('alice') as never }))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(JSON.stringify(error).length).toBeLessThan(600)
  })
})

describe('presign: link lifetime', () => {
  it.each([
    { cap: undefined, requested: undefined, signed: 60 },
    { cap: 30, requested: undefined, signed: 30 },
    { cap: 600, requested: undefined, signed: 60 },
    { cap: 600, requested: 600, signed: 600 },
    { cap: 60, requested: 1, signed: 1 },
  ])('cap $cap, requested $requested → X-Amz-Expires $signed', async ({ cap, requested, signed }) => {
    const link = await downloader({ expiresIn: cap }).presign({ key: OWNED, requester: 'alice', expiresIn: requested })
    expect(params(link.url).get('X-Amz-Expires')).toBe(String(signed))
    expect(link.expiresAt).toBe(T + signed * 1000)
  })

  it.each([
    { cap: undefined, requested: 61, code: 'EXPIRY_TOO_LONG' },
    { cap: 600, requested: 601, code: 'EXPIRY_TOO_LONG' },
    { cap: 600, requested: 0, code: 'INVALID_REQUEST' },
    { cap: 600, requested: 1.5, code: 'INVALID_REQUEST' },
  ])('cap $cap, requested $requested → $code', async ({ cap, requested, code }) => {
    const error = await failure(downloader({ expiresIn: cap }).presign({ key: OWNED, requester: 'alice', expiresIn: requested }))
    expect(error.code).toBe(code)
    expect(error.message).toContain(`\`expiresIn\` is ${requested}`)
    if (code === 'EXPIRY_TOO_LONG') expect(error.message).toContain(`the maximum is ${cap ?? 60} s`)
  })
})

describe('presignMany', () => {
  it('mixed keys → one result per key, in order, from one store round trip', async () => {
    const spy = counting(store)
    const keys = [OWNED, OTHERS, UNKNOWN, 'uploads/not-a-uuid.png', PENDING, NO_NAME, OWNED]
    const results = await downloader({ store: spy.store }).presignMany({ keys, requester: 'alice' })
    expect(results.map((r) => [r.key, r.ok ? 'ok' : r.error.code])).toEqual([
      [OWNED, 'ok'],
      [OTHERS, 'FORBIDDEN'],
      [UNKNOWN, 'NOT_FOUND'],
      ['uploads/not-a-uuid.png', 'INVALID_KEY'],
      [PENDING, 'NOT_COMMITTED'],
      [NO_NAME, 'ok'],
      [OWNED, 'ok'],
    ])
    for (const r of results) if (r.ok) expect(new URL(r.url).pathname).toBe(`/${r.key}`)
    expect(spy.count('getMany')).toBe(1)
    expect(spy.count('get')).toBe(0)
    // Only well-formed keys reach the store.
    expect(spy.calls[0]!.args[0]).toEqual(keys.filter((k) => k !== 'uploads/not-a-uuid.png'))
  })

  it('accepts MAX_BATCH_KEYS (1000) keys; 1001 → INVALID_REQUEST naming keys and the limit, before any store call', async () => {
    const spy = counting(store)
    const down = downloader({ store: spy.store })
    const atLimit = await down.presignMany({ keys: Array.from({ length: MAX_BATCH_KEYS }, () => OWNED), requester: 'alice' })
    expect(atLimit).toHaveLength(1000)
    expect(atLimit.every((r) => r.ok)).toBe(true)
    const error = await down.presignMany({ keys: Array.from({ length: MAX_BATCH_KEYS + 1 }, () => OWNED), requester: 'alice' }).then(
      () => undefined,
      (e: SafePresignError) => e,
    )
    expect(error?.code).toBe('INVALID_REQUEST')
    expect(error?.message).toBe('`keys` is "1001 keys"; the maximum for one presignMany call is 1000')
    expect(spy.count('getMany')).toBe(1)
  })

  it('the links equal those of presign() for the same keys', async () => {
    const down = downloader()
    const [batch] = await down.presignMany({ keys: [OWNED], requester: 'alice', expiresIn: 10 })
    const single = await down.presign({ key: OWNED, requester: 'alice', expiresIn: 10 })
    expect(batch).toEqual({ key: OWNED, ok: true, ...single })
  })

  it('no well-formed key, or no key at all → no store call', async () => {
    const spy = counting(store)
    const down = downloader({ store: spy.store })
    expect(await down.presignMany({ keys: [], requester: 'alice' })).toEqual([])
    const [only] = await down.presignMany({ keys: ['../etc/passwd'], requester: 'alice' })
    expect(only!.ok || only!.error.code).toBe('INVALID_KEY')
    expect(spy.calls).toEqual([])
  })

  it('a store failure rejects the whole call with STORE_UNAVAILABLE', async () => {
    const broken = { ...store, getMany: async () => Promise.reject(new Error('connection reset')) }
    const error = await failure(downloader({ store: broken }).presignMany({ keys: [OWNED, NO_NAME], requester: 'alice' }))
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(error.message).toContain('getMany')
  })

  it.each([
    { request: { keys: 'uploads/x', requester: 'alice' }, code: 'INVALID_REQUEST' },
    { request: { keys: [OWNED], requester: '' }, code: 'INVALID_REQUEST' },
    { request: { keys: [OWNED], requester: 'alice', expiresIn: 61 }, code: 'EXPIRY_TOO_LONG' },
  ])('$request → $code', async ({ request, code }) => {
    expect((await failure(downloader().presignMany(request as never))).code).toBe(code)
  })
})

describe('tickets', () => {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

  it('ticket → redeem gives a link for the key that lives at most 30 s', async () => {
    const down = downloader({ expiresIn: 600 })
    const { ticket, expiresAt } = await down.ticket({ key: OWNED, requester: 'alice' })
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(expiresAt).toBe(T + 300_000)
    clock = T + 120_000
    const link = await down.redeem(ticket)
    expect(link.key).toBe(OWNED)
    expect(params(link.url).get('X-Amz-Expires')).toBe('30')
    expect(link.expiresAt).toBe(clock + 30_000)
    expect(params(link.url).get('response-content-disposition')).toBe(contentDisposition('holiday photo.png'))
  })

  it('a builder cap below 30 s caps the redeemed link too', async () => {
    const down = downloader({ expiresIn: 10 })
    const link = await down.redeem((await down.ticket({ key: OWNED, requester: 'alice' })).ticket)
    expect(params(link.url).get('X-Amz-Expires')).toBe('10')
  })

  it('the second redeem → TICKET_USED', async () => {
    const down = downloader()
    const { ticket } = await down.ticket({ key: OWNED, requester: 'alice' })
    await down.redeem(ticket)
    expect((await failure(down.redeem(ticket))).code).toBe('TICKET_USED')
  })

  it.each([
    { ttl: undefined, at: 299_999, outcome: 'ok' },
    { ttl: undefined, at: 300_000, outcome: 'TICKET_EXPIRED' },
    { ttl: 5, at: 4_999, outcome: 'ok' },
    { ttl: 5, at: 5_000, outcome: 'TICKET_EXPIRED' },
  ])('ttl $ttl, redeemed after $at ms → $outcome', async ({ ttl, at, outcome }) => {
    const down = downloader()
    const { ticket, expiresAt } = await down.ticket({ key: OWNED, requester: 'alice', ttl })
    expect(expiresAt).toBe(T + (ttl ?? 300) * 1000)
    clock = T + at
    const result = down.redeem(ticket)
    if (outcome === 'ok') expect((await result).key).toBe(OWNED)
    else expect((await failure(result)).code).toBe(outcome)
  })

  it('a ttl above ticketTtl → EXPIRY_TOO_LONG, nothing stored', async () => {
    const spy = counting(store)
    const error = await failure(downloader({ store: spy.store, ticketTtl: 60 }).ticket({ key: OWNED, requester: 'alice', ttl: 61 }))
    expect(error.code).toBe('EXPIRY_TOO_LONG')
    expect(spy.count('putTicket')).toBe(0)
  })

  it.each(['', 'abc', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}+`, `${'A'.repeat(42)}=`, `${'A'.repeat(42)}\n`, 42, undefined])('malformed ticket %j → TICKET_INVALID without a store call', async (ticket) => {
    const spy = counting(store)
    expect((await failure(downloader({ store: spy.store }).redeem(ticket as string))).code).toBe('TICKET_INVALID')
    expect(spy.calls).toEqual([])
  })

  it('a well-formed but unknown ticket → TICKET_INVALID', async () => {
    expect((await failure(downloader().redeem('A'.repeat(43)))).code).toBe('TICKET_INVALID')
  })

  it('only the SHA-256 of the ticket is stored: the raw ticket is no valid lookup', async () => {
    const stored: TicketRecord[] = []
    const spy = { ...store, putTicket: (t: TicketRecord, now: number) => (stored.push(structuredClone(t)), store.putTicket(t, now)) }
    const down = downloader({ store: spy })
    const { ticket } = await down.ticket({ key: OWNED, requester: 'alice' })
    expect(stored).toEqual([{ hash: sha256(ticket), key: OWNED, requester: 'alice', createdAt: T, expiresAt: T + 300_000 }])
    expect(JSON.stringify(stored)).not.toContain(ticket)
    expect(await store.consumeTicket(ticket, T)).toEqual({ status: 'missing' })
    expect((await store.consumeTicket(sha256(ticket), T)).status).toBe('ok')
    // Consumed through the store directly: the ticket is now spent for the builder too.
    expect((await failure(down.redeem(ticket))).code).toBe('TICKET_USED')
  })

  it('tickets are authorized when issued: a non-owner gets FORBIDDEN and nothing is stored', async () => {
    const spy = counting(store)
    expect((await failure(downloader({ store: spy.store }).ticket({ key: OWNED, requester: 'mallory' }))).code).toBe('FORBIDDEN')
    expect(spy.count('putTicket')).toBe(0)
  })

  it.each([
    { name: 'deleted', change: () => store.delete(OWNED) },
    { name: 'rejected', change: () => store.transition(OWNED, 'committed', 'rejected', { reason: 'SCAN_FAILED', purgeAt: T + 3_600_000 }, T) },
  ])('and again when redeemed: a record $name in between → NOT_FOUND, and the ticket is spent', async ({ change }) => {
    const down = downloader()
    const { ticket } = await down.ticket({ key: OWNED, requester: 'alice' })
    await change()
    expect((await failure(down.redeem(ticket))).code).toBe('NOT_FOUND')
    expect((await failure(down.redeem(ticket))).code).toBe('TICKET_USED')
  })

  it('200 concurrent redeems through two builders sharing one store → exactly one link', async () => {
    const a = downloader()
    const b = downloader()
    const { ticket } = await a.ticket({ key: OWNED, requester: 'alice' })
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).redeem(ticket).then(() => 'ok', (e: { code: string }) => e.code)),
    )
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1)
    expect(outcomes.filter((o) => o === 'TICKET_USED')).toHaveLength(199)
  })
})
