// createSafeDownload over real HTTP against each S3 peer (RGW and the test S3: peers.ts): every link is checked against the ownership store
// before it is signed, and what is signed (key, disposition, type, expiry) S3 then enforces.
import { randomUUID } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  contentDisposition,
  createSafeDownload,
  createSafeUpload,
  memoryStore,
  type OwnershipStore,
  type SafeDownload,
  type SafePresignEvent,
  type SafeUpload,
} from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { httpRequest } from '../../helpers/rgw.js'
import { asPut, enforcementTable, libraryCode, minimalPng, putWith, tamperUrl } from './support.js'

const FILENAME = 'Résumé 😀 "final".png'

describePeers('createSafeDownload', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let uploads: SafeUpload
  let downloads: SafeDownload
  const table = enforcementTable(`download [${peer.name}]`)
  let width = 1

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    store = memoryStore()
    uploads = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024 * 1024, expiresIn: 60 })
    downloads = createSafeDownload({ client, bucket, store })
  })
  afterAll(async () => {
    table.flush()
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  /** Uploads a PNG (different bytes each time) for `owner` and, unless told not to, completes it. */
  async function uploaded(owner: string, options: { filename?: string; complete?: boolean } = {}): Promise<{ key: string; bytes: Buffer }> {
    const bytes = minimalPng(width++)
    const grant = asPut(await uploads.presign({ owner, contentType: 'image/png', size: bytes.length, ...(options.filename ? { filename: options.filename } : {}) }))
    expect((await putWith(grant, bytes)).status).toBe(200)
    if (options.complete !== false) await uploads.complete({ key: grant.key, owner })
    return { key: grant.key, bytes }
  }

  it("the owner's link returns the exact bytes, as an attachment with the unicode filename and the recorded type", async () => {
    const { key, bytes } = await uploaded('alice', { filename: FILENAME })
    const link = await downloads.presign({ key, requester: 'alice' })
    const res = await httpRequest(link.url)
    table.http("GET, the owner's link", res, [200, undefined])
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('60')
    expect(res.body.equals(bytes)).toBe(true)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.headers['cache-control']).toBe('private, no-store')
    const disposition = res.headers['content-disposition']
    expect(disposition).toBe(contentDisposition(FILENAME))
    // `"` is a reserved character, so the sanitized name has `_` there; é and 😀 survive in filename*.
    expect(disposition).toBe(`attachment; filename="R_sum_ _ _final_.png"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%F0%9F%98%80%20_final_.png`)
    expect(decodeURIComponent(disposition!.split("filename*=UTF-8''")[1]!)).toBe('Résumé 😀 _final_.png')
  })

  it('issues no URL at all to another user (FORBIDDEN), for an unknown key (NOT_FOUND) or an uncompleted upload (NOT_COMMITTED)', async () => {
    const { key } = await uploaded('alice')
    table.library('download presign, requester is not the owner', await libraryCode(downloads.presign({ key, requester: 'mallory' })), 'FORBIDDEN')
    table.library('download presign, key never recorded', await libraryCode(downloads.presign({ key: `uploads/${randomUUID()}.png`, requester: 'alice' })), 'NOT_FOUND')
    table.library('download presign, key outside the prefix / not generated', await libraryCode(downloads.presign({ key: 'uploads/../secrets.txt', requester: 'alice' })), 'INVALID_KEY')
    const pending = await uploaded('alice', { complete: false })
    table.library('download presign, upload not completed', await libraryCode(downloads.presign({ key: pending.key, requester: 'alice' })), 'NOT_COMMITTED')
    table.library('ticket, requester is not the owner', await libraryCode(downloads.ticket({ key, requester: 'mallory' })), 'FORBIDDEN')
  })

  it('every decision is an audit event tied to the end-user, and no event carries a URL or a signature', async () => {
    const events: SafePresignEvent[] = []
    const audited = createSafeDownload({ client, bucket, store, onEvent: (e) => void events.push(e) })
    const { key } = await uploaded('alice')
    await audited.presign({ key, requester: 'alice' })
    await libraryCode(audited.presign({ key, requester: 'mallory' }))
    table.library('download presign over the cap (expiresIn 61)', await libraryCode(audited.presign({ key, requester: 'alice', expiresIn: 61 })), 'EXPIRY_TOO_LONG')
    const { ticket } = await audited.ticket({ key, requester: 'alice' })
    await audited.redeem(ticket)
    await libraryCode(audited.redeem(ticket))
    expect(events.map((e) => [e.type, e.subject, e.reason])).toEqual([
      ['download.granted', 'alice', 'ok'],
      ['download.denied', 'mallory', 'FORBIDDEN'],
      ['download.denied', 'alice', 'EXPIRY_TOO_LONG'],
      ['ticket.issued', 'alice', 'ok'],
      ['ticket.redeemed', 'alice', 'ok'],
      ['download.denied', 'alice', 'TICKET_USED'],
    ])
    const text = JSON.stringify(events)
    for (const secret of ['X-Amz-Signature', 'X-Amz-Credential', peer.credentials!.accessKeyId, ticket, 'http']) expect(text).not.toContain(secret)
  })

  it('S3 refuses a tampered link, a changed response-content-type and an expired link (403)', async () => {
    const { key } = await uploaded('alice')
    const link = await downloads.presign({ key, requester: 'alice' })
    table.http('GET, tampered X-Amz-Signature', await httpRequest(tamperUrl(link.url)), [403, 'SignatureDoesNotMatch'])

    const retyped = new URL(link.url)
    retyped.searchParams.set('response-content-type', 'text/html')
    table.http('GET, response-content-type changed to text/html', await httpRequest(retyped.href), [403, 'SignatureDoesNotMatch'])
    const inline = new URL(link.url)
    inline.searchParams.set('response-content-disposition', 'inline')
    table.http('GET, response-content-disposition changed to inline', await httpRequest(inline.href), [403, 'SignatureDoesNotMatch'])

    const stale = createSafeDownload({ client, bucket, store, now: () => Date.now() - 10 * 60_000 })
    const old = await stale.presign({ key, requester: 'alice' })
    expect(old.expiresAt).toBeLessThan(Date.now())
    table.http('GET, link expired', await httpRequest(old.url), [403, 'AccessDenied'])

    expect((await httpRequest(link.url)).status).toBe(200) // the untouched link still works
  })

  it('presignMany over 3 owned, 1 foreign and 1 unknown key: 3 working links, FORBIDDEN, NOT_FOUND', async () => {
    const owned = [await uploaded('alice'), await uploaded('alice'), await uploaded('alice')]
    const foreign = await uploaded('bob')
    const unknown = `uploads/${randomUUID()}.png`
    const keys = [owned[0]!.key, foreign.key, owned[1]!.key, unknown, owned[2]!.key]
    const results = await downloads.presignMany({ keys, requester: 'alice' })
    expect(results.map((r) => [r.key, r.ok ? 'ok' : r.error.code])).toEqual([
      [owned[0]!.key, 'ok'],
      [foreign.key, 'FORBIDDEN'],
      [owned[1]!.key, 'ok'],
      [unknown, 'NOT_FOUND'],
      [owned[2]!.key, 'ok'],
    ])
    table.library('presignMany, foreign key', results[1]!.ok ? 'ok' : results[1]!.error.code, 'FORBIDDEN')
    table.library('presignMany, unknown key', results[3]!.ok ? 'ok' : results[3]!.error.code, 'NOT_FOUND')
    for (const [i, result] of [results[0]!, results[2]!, results[4]!].entries()) {
      if (!result.ok) throw new Error('unreachable')
      const res = await httpRequest(result.url)
      table.http(`GET, presignMany link ${i + 1} of 3 owned`, res, [200, undefined])
      expect(res.body.equals(owned[i]!.bytes)).toBe(true)
    }
  })

  it('a ticket is redeemed once for a working link; the second redeem is TICKET_USED', async () => {
    const { key, bytes } = await uploaded('alice')
    const { ticket } = await downloads.ticket({ key, requester: 'alice' })
    const redeemed = await downloads.redeem(ticket)
    expect(redeemed.key).toBe(key)
    expect(redeemed.expiresAt - Date.now()).toBeLessThanOrEqual(30_000)
    expect(new URL(redeemed.url).searchParams.get('X-Amz-Expires')).toBe('30')
    const res = await httpRequest(redeemed.url)
    table.http('GET, link from a redeemed ticket', res, [200, undefined])
    expect(res.body.equals(bytes)).toBe(true)
    table.library('redeem, same ticket again', await libraryCode(downloads.redeem(ticket)), 'TICKET_USED')
    // The ticket is single-use; the link it yields is an ordinary presigned GET, reusable for its ≤ 30 s.
    table.http('GET, the redeemed link a second time (within its 30 s)', await httpRequest(redeemed.url), [200, undefined])
    table.library('redeem, unknown ticket', await libraryCode(downloads.redeem('A'.repeat(43))), 'TICKET_INVALID')
  })
})
