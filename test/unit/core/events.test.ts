// Audit events: every type is produced by a real flow, carries the facts (time, subject, key,
// reason, expiresAt for grants) and never a URL, a signature, a credential, a token or a ticket.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSafeDownload } from '../../../src/download.js'
import type { EventHandler, SafePresignEvent, SafePresignEventType } from '../../../src/events.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { OwnershipStore } from '../../../src/stores/types.js'
import { createSafeUpload } from '../../../src/upload.js'
import { png } from '../lifecycle/bytes.js'
import { fakeS3, type FakeS3 } from '../lifecycle/fake-s3.js'
import { failure, ID, s3Client, SECRETS, sessionCredentials, SESSION_TOKEN, T } from './fixtures.js'

const KEY = `uploads/${ID}.png`
const client = s3Client({ credentials: sessionCredentials })

let s3: FakeS3
let store: OwnershipStore
let clock: number
let events: SafePresignEvent[]

beforeEach(() => {
  s3 = fakeS3(client)
  store = memoryStore()
  clock = T
  events = []
})
afterEach(() => {
  s3.mock.restore()
  vi.restoreAllMocks()
})

function builders(onEvent: EventHandler = (e) => void events.push(e)) {
  let n = 0
  const ids = [ID, '3b241101-e2bb-4255-8caf-4136c566a963']
  const upload = createSafeUpload({ client, bucket: 'photos-bucket', store, allowedContentTypes: ['image/png'], maxSize: 10_000, now: () => clock, generateId: () => ids[n++ % 2]!, onEvent })
  const download = createSafeDownload({ client, bucket: 'photos-bucket', store, now: () => clock, onEvent })
  return { upload, download }
}

/** Runs every flow once and returns what each produced, with the secrets it handed out. */
async function everyFlow() {
  const { upload, download } = builders()
  const out: { flow: string; events: SafePresignEvent[] }[] = []
  const handedOut: string[] = []
  const run = async (flow: string, fn: () => Promise<unknown>) => {
    const before = events.length
    await fn().catch(() => {})
    out.push({ flow, events: events.slice(before) })
  }
  await run('upload granted', async () => {
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 2000, filename: 'a.png' })
    handedOut.push(grant.url)
  })
  await run('upload denied', () => upload.presign({ owner: 'alice', contentType: 'text/html', size: 10 }))
  s3.put(KEY, png(2000), 'image/png')
  clock = T + 10_000
  await run('upload rejected (not the owner)', () => upload.complete({ key: KEY, owner: 'mallory' }))
  await run('upload completed', () => upload.complete({ key: KEY, owner: 'alice' }))
  await run('download granted', async () => handedOut.push((await download.presign({ key: KEY, requester: 'alice' })).url))
  await run('download denied', () => download.presign({ key: KEY, requester: 'mallory' }))
  let ticket = ''
  await run('ticket issued', async () => {
    ticket = (await download.ticket({ key: KEY, requester: 'alice' })).ticket
    handedOut.push(ticket)
  })
  clock = T + 20_000
  await run('ticket redeemed', async () => handedOut.push((await download.redeem(ticket)).url))
  await run('ticket reused', () => download.redeem(ticket))
  await run('ticket malformed', () => download.redeem('not a ticket'))
  // A second upload whose bytes are HTML: rejected by content.
  clock = T + 30_000
  const second = '3b241101-e2bb-4255-8caf-4136c566a963'
  const html = '<!doctype html><script>alert(1)</script>'
  await run('upload granted (second)', () => upload.presign({ owner: 'bob', contentType: 'image/png', size: html.length }))
  s3.put(`uploads/${second}.png`, html, 'image/png')
  await run('upload rejected (content)', () => upload.complete({ key: `uploads/${second}.png`, owner: 'bob' }))
  return { out, handedOut, ticket }
}

describe('every event type, from a real flow', () => {
  it('each flow emits exactly the expected event, with time, subject, key, reason and expiresAt for grants', async () => {
    const { out } = await everyFlow()
    const second = 'uploads/3b241101-e2bb-4255-8caf-4136c566a963.png'
    expect(out).toEqual([
      { flow: 'upload granted', events: [{ type: 'upload.granted', time: T, subject: 'alice', key: KEY, reason: 'ok', expiresAt: T + 300_000, method: 'PUT' }] },
      { flow: 'upload denied', events: [{ type: 'upload.denied', time: T, subject: 'alice', reason: 'CONTENT_TYPE_NOT_ALLOWED', method: 'PUT' }] },
      { flow: 'upload rejected (not the owner)', events: [{ type: 'upload.rejected', time: T + 10_000, subject: 'mallory', key: KEY, reason: 'FORBIDDEN' }] },
      { flow: 'upload completed', events: [{ type: 'upload.completed', time: T + 10_000, subject: 'alice', key: KEY, reason: 'ok' }] },
      { flow: 'download granted', events: [{ type: 'download.granted', time: T + 10_000, subject: 'alice', key: KEY, reason: 'ok', expiresAt: T + 70_000, method: 'GET' }] },
      { flow: 'download denied', events: [{ type: 'download.denied', time: T + 10_000, subject: 'mallory', key: KEY, reason: 'FORBIDDEN', method: 'GET' }] },
      { flow: 'ticket issued', events: [{ type: 'ticket.issued', time: T + 10_000, subject: 'alice', key: KEY, reason: 'ok', expiresAt: T + 310_000, method: 'GET' }] },
      { flow: 'ticket redeemed', events: [{ type: 'ticket.redeemed', time: T + 20_000, subject: 'alice', key: KEY, reason: 'ok', expiresAt: T + 50_000, method: 'GET' }] },
      { flow: 'ticket reused', events: [{ type: 'download.denied', time: T + 20_000, subject: 'alice', key: KEY, reason: 'TICKET_USED', method: 'GET' }] },
      { flow: 'ticket malformed', events: [{ type: 'download.denied', time: T + 20_000, reason: 'TICKET_INVALID', method: 'GET' }] },
      { flow: 'upload granted (second)', events: [{ type: 'upload.granted', time: T + 30_000, subject: 'bob', key: second, reason: 'ok', expiresAt: T + 330_000, method: 'PUT' }] },
      {
        flow: 'upload rejected (content)',
        // What complete() found goes to the audit event, for the server; the client's error omits it.
        events: [{ type: 'upload.rejected', time: T + 30_000, subject: 'bob', key: second, reason: 'CONTENT_MISMATCH', observed: { contentType: 'image/png', sniffedType: 'text/html', why: expect.stringContaining('markup') } }],
      },
    ])
    const types = new Set(out.flatMap((o) => o.events.map((e) => e.type)))
    const all: SafePresignEventType[] = ['upload.granted', 'upload.denied', 'upload.completed', 'upload.rejected', 'download.granted', 'download.denied', 'ticket.issued', 'ticket.redeemed']
    expect([...types].sort()).toEqual([...all].sort())
  })

  it('no event carries a URL, a signature, a credential, the secret key, the session token or the ticket', async () => {
    const { out, handedOut, ticket } = await everyFlow()
    const signatures = handedOut.filter((h) => h.startsWith('http')).map((u) => new URL(u).searchParams.get('X-Amz-Signature')!)
    expect(signatures).toHaveLength(3)
    expect(handedOut.join(' ')).toContain(encodeURIComponent(SESSION_TOKEN)) // the grants did carry the token
    for (const { events: emitted } of out) {
      for (const event of emitted) {
        const json = JSON.stringify(event)
        for (const secret of [...SECRETS, 'http', ticket, ...signatures]) expect(json).not.toContain(secret)
        expect(Object.isFrozen(event)).toBe(true)
      }
    }
  })

  it('a URL-shaped owner string is redacted before it reaches an event', async () => {
    const { upload } = builders()
    await upload.presign({ owner: 'https://h/?X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok', contentType: 'image/png', size: 1 })
    expect(events[0]!.subject).toBe('https://h/?X-Amz-Signature=[REDACTED]&X-Amz-Security-Token=[REDACTED]')
  })

  it('subjects and keys show bidi, zero-width and control characters as \\uXXXX text', async () => {
    const { upload, download } = builders()
    await upload.presign({ owner: 'alice\u202e\u2066\u200b', contentType: 'image/png', size: 1 })
    expect(events[0]).toMatchObject({ type: 'upload.granted', subject: 'alice\\u202e\\u2066\\u200b', key: KEY })
    // Refused owners are reported too: a CR/LF one is denied, and the event shows it escaped.
    expect((await failure(upload.presign({ owner: 'alice\r\nbob', contentType: 'image/png', size: 1 }))).code).toBe('INVALID_REQUEST')
    expect(events[1]).toMatchObject({ type: 'upload.denied', subject: 'alice\\u000d\\u000abob', reason: 'INVALID_REQUEST' })
    const hostile = `uploads/x\u202e\u0085/${ID}.png`
    await failure(download.presign({ key: hostile, requester: 'bob\ufeff' }))
    expect(events[2]).toEqual({ type: 'download.denied', time: T, subject: 'bob\\ufeff', key: `uploads/x\\u202e\\u0085/${ID}.png`, reason: 'INVALID_KEY', method: 'GET' }) // U+0085 is a control: refused, and still shown escaped
    for (const event of events) expect(JSON.stringify(event)).not.toMatch(/[\u202e\u2066\u200b\ufeff\u0085]|\\r|\\n/)
  })

  it('a refused 10 MB owner reaches upload.denied cut to 1024 UTF-16 units, never whole', async () => {
    const { upload } = builders()
    const error = await failure(upload.presign({ owner: 'm'.repeat(10 * 1024 * 1024), contentType: 'image/png', size: 1 }))
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { option: 'owner', limit: 1024 } })
    expect(events).toEqual([{ type: 'upload.denied', time: T, subject: `${'m'.repeat(1024)}…`, reason: 'INVALID_REQUEST', method: 'PUT' }])
  })

  it('a store failure is denied with STORE_UNAVAILABLE, for downloads too', async () => {
    store = { ...memoryStore(), get: async () => Promise.reject(new Error('down')) }
    const { download } = builders()
    expect((await failure(download.presign({ key: KEY, requester: 'alice' }))).code).toBe('STORE_UNAVAILABLE')
    expect(events).toEqual([{ type: 'download.denied', time: T, subject: 'alice', key: KEY, reason: 'STORE_UNAVAILABLE', method: 'GET' }])
  })
})

describe('a failing hook never changes a decision', () => {
  const hooks: { name: string; hook: EventHandler; reported: boolean }[] = [
    { name: 'throws', hook: () => { throw new Error('SIEM unreachable') }, reported: true },
    { name: 'rejects', hook: async () => Promise.reject(new Error('SIEM unreachable')), reported: true },
    { name: 'mutates the (frozen) event', hook: (e) => void ((e as { reason: string }).reason = 'ok'), reported: true },
    // Not awaited: a slow sink never delays a decision, and there is nothing to report.
    { name: 'never settles', hook: () => new Promise<void>(() => {}), reported: false },
  ]

  it.each(hooks)('a hook that $name: grants are returned, errors keep their code', async ({ hook, reported }) => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { upload, download } = builders(hook)
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 2000 })
    expect(grant.key).toBe(KEY)
    expect((await failure(upload.presign({ owner: 'alice', contentType: 'text/html', size: 1 }))).code).toBe('CONTENT_TYPE_NOT_ALLOWED')
    s3.put(KEY, png(2000), 'image/png')
    expect((await upload.complete({ key: KEY, owner: 'alice' })).state).toBe('committed')
    expect((await failure(download.presign({ key: KEY, requester: 'mallory' }))).code).toBe('FORBIDDEN')
    const { ticket } = await download.ticket({ key: KEY, requester: 'alice' })
    expect((await download.redeem(ticket)).key).toBe(KEY)
    expect((await failure(download.redeem(ticket))).code).toBe('TICKET_USED')
    await new Promise((resolve) => setImmediate(resolve))
    // Reported, not swallowed: one console.error per failed delivery, naming the event type.
    const messages = logged.mock.calls.map((c) => String(c[0]))
    if (reported) {
      expect(messages).toContain('[safe-presign] onEvent threw for upload.granted; the decision stands')
      expect(messages).toContain('[safe-presign] onEvent threw for ticket.redeemed; the decision stands')
      expect(messages).toHaveLength(7) // one per event the flow above emits
    } else expect(messages).toEqual([])
  })
})
