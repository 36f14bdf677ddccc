// createSafeUpload with POST grants (a browser form and a signed policy), sent as multipart/form-data
// over real HTTP to each S3 peer (RGW and the test S3: peers.ts): what the policy makes S3 refuse. Both must
// refuse what AWS refuses; where RGW does not, deviations.ts says so. POST builders require quarantine (a form can be replayed:
// lifecycle.test.ts), so every form here writes quarantine/<uuid>, and complete() promotes it.
import { randomUUID } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, type OwnershipStore, type PostGrant, type SafeUploadConfig } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { postForm } from '../../helpers/rgw.js'
import { asPost, enforcementTable, flip, head, libraryCode, minimalPng } from './support.js'

const PNG = minimalPng(8)
const MAX = 1024
const file = (body: Buffer, contentType = 'image/png') => ({ body, contentType, filename: 'upload.bin' })
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><circle r="5"/></svg>\n', 'utf8')
/** The key the form writes: the grant's UUID under quarantine/, never the final key. */
const staged = (grant: PostGrant) => grant.key.replace(/^uploads\//, 'quarantine/')

describePeers('createSafeUpload POST', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  const table = enforcementTable(`upload-post [${peer.name}]`)

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    store = memoryStore()
  })
  afterAll(async () => {
    table.flush()
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client, bucket, store, method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png', 'text/plain'], maxSize: MAX, expiresIn: 60, ...extra })

  /** Neither the staging key nor the final key holds an object. */
  async function nothingStored(grant: PostGrant) {
    expect(await head(client, bucket, staged(grant))).toBeUndefined()
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  }

  it('accepts the form as issued (201) under quarantine/, stores the signed type and filename, and complete() promotes it', async () => {
    const up = uploads()
    const grant = asPost(await up.presign({ owner: 'alice', filename: 'scan.png', contentType: 'image/png' }))
    expect(grant.key).toMatch(/^uploads\/[0-9a-f-]{36}\.png$/)
    expect(grant.fields).toMatchObject({ key: staged(grant), 'Content-Type': 'image/png', success_action_status: '201' })
    table.http('POST form as issued (key field quarantine/{uuid}.png)', await postForm(grant.url, grant.fields, file(PNG)), [201, undefined])
    expect(await head(client, bucket, staged(grant))).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: 'scan.png' } })
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', sniffedType: 'image/png' })
    // The promoted copy keeps the signed type and metadata; the staging object is gone.
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: 'scan.png' } })
    expect(await head(client, bucket, staged(grant))).toBeUndefined()
  })

  it('refuses a file outside content-length-range (400 EntityTooLarge / EntityTooSmall), storing nothing', async () => {
    const up = uploads()
    const open = asPost(await up.presign({ owner: 'alice', contentType: 'image/png' })) // 1..MAX
    table.http(`POST, ${MAX + 1} bytes on a 1..${MAX} policy`, await postForm(open.url, open.fields, file(Buffer.concat([PNG, Buffer.alloc(MAX + 1 - PNG.length)]))), [400, 'EntityTooLarge'])
    await nothingStored(open)

    const exact = asPost(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length })) // PNG.length..PNG.length
    table.http('POST, one byte less than an exact-size policy', await postForm(exact.url, exact.fields, file(PNG.subarray(0, -1))), [400, 'EntityTooSmall'])
    table.http('POST, one byte more than an exact-size policy', await postForm(exact.url, exact.fields, file(Buffer.concat([PNG, Buffer.from([0])]))), [400, 'EntityTooLarge'])
    await nothingStored(exact)
    expect((await postForm(exact.url, exact.fields, file(PNG))).status).toBe(201)
    expect(await head(client, bucket, staged(exact))).toMatchObject({ ContentLength: PNG.length })
  })

  it('refuses a changed key field (403), storing nothing under any key', async () => {
    const grant = asPost(await uploads().presign({ owner: 'alice', contentType: 'image/png' }))
    // Aimed at the final namespace, where complete() promotes to: the policy pins quarantine/<uuid>.
    for (const other of [grant.key, `uploads/${randomUUID()}.png`]) {
      const name = other === grant.key ? "POST, key field changed to the grant's own final key (uploads/{uuid}.png)" : 'POST, key field changed to another key (uploads/{other uuid}.png)'
      table.http(name, await postForm(grant.url, { ...grant.fields, key: other }, file(PNG)), [403, 'AccessDenied'])
      expect(await head(client, bucket, other)).toBeUndefined()
    }
    await nothingStored(grant)
  })

  it('refuses a changed Content-Type field on an exact-type policy (403)', async () => {
    const grant = asPost(await uploads().presign({ owner: 'alice', contentType: 'image/png' }))
    table.http('POST, Content-Type field text/html on an image/png policy', await postForm(grant.url, { ...grant.fields, 'Content-Type': 'text/html' }, file(PNG, 'text/html')), [403, 'AccessDenied'])
    await nothingStored(grant)
  })

  it("an 'image/*' policy (starts-with) accepts image/png (201) and refuses text/html (403)", async () => {
    const up = uploads({ allowedContentTypes: ['image/*'] })
    const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/*' }))
    expect(grant.fields['Content-Type']).toBeUndefined() // the client chooses it, within the prefix
    table.http('POST, Content-Type text/html on an image/* policy', await postForm(grant.url, { ...grant.fields, 'Content-Type': 'text/html' }, file(PNG, 'text/html')), [403, 'AccessDenied'])
    // The file part's own type (image/png here) does not count: the policy checks the form field.
    table.http('POST, no Content-Type field on an image/* policy', await postForm(grant.url, grant.fields, file(PNG)), [403, 'AccessDenied'])
    await nothingStored(grant)
    table.http('POST, Content-Type image/png on an image/* policy', await postForm(grant.url, { ...grant.fields, 'Content-Type': 'image/png' }, file(PNG)), [201, undefined])
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', contentType: 'image/png', sniffedType: 'image/png' }) // the type verified, not the wildcard
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentType: 'image/png' })
  })

  it("an 'image/*' policy lets S3 store image/svg+xml (201); complete() refuses it (TYPE_MISMATCH) and deletes it, nothing promoted", async () => {
    const up = uploads({ allowedContentTypes: ['image/*'] })
    // Asked for directly, the wildcard does not cover SVG: no grant at all.
    table.library('presign image/svg+xml on an image/* builder', await libraryCode(up.presign({ owner: 'alice', contentType: 'image/svg+xml' })), 'CONTENT_TYPE_NOT_ALLOWED')
    // Through an image/* form, S3 only checks starts-with "image/": it takes SVG.
    const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/*' }))
    table.http('POST, Content-Type image/svg+xml on an image/* policy', await postForm(grant.url, { ...grant.fields, 'Content-Type': 'image/svg+xml' }, file(SVG, 'image/svg+xml')), [201, undefined])
    expect(await head(client, bucket, staged(grant))).toMatchObject({ ContentType: 'image/svg+xml' })
    table.library('complete(), image/svg+xml stored under an image/* policy', await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'TYPE_MISMATCH')
    await nothingStored(grant)
    expect(await store.get(grant.key, Date.now())).toMatchObject({ state: 'rejected', reason: 'TYPE_MISMATCH' })
  })

  it('refuses an expired policy (403): signed 10 minutes ago for 60 s', async () => {
    const grant = asPost(await uploads({ now: () => Date.now() - 10 * 60_000 }).presign({ owner: 'alice', contentType: 'image/png' }))
    expect(grant.expiresAt).toBeLessThan(Date.now())
    table.http('POST, policy expired', await postForm(grant.url, grant.fields, file(PNG)), [403, 'AccessDenied'])
    await nothingStored(grant)
  })

  it('refuses a tampered signature (403), storing nothing', async () => {
    const grant = asPost(await uploads().presign({ owner: 'alice', contentType: 'image/png' }))
    const fields = { ...grant.fields, 'X-Amz-Signature': flip(grant.fields['X-Amz-Signature']!) }
    table.http('POST, tampered X-Amz-Signature', await postForm(grant.url, fields, file(PNG)), expectFor(peer, 'post-tampered-signature'))
    await nothingStored(grant)
  })

  it('successRedirects: a plain form lands back on the app (303 to the signed URL, with bucket, key and etag); another URL in the form is 403', async () => {
    const back = 'https://app.example/uploaded'
    const up = uploads({ successRedirects: [back] })
    const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length, successRedirect: back }))
    expect(grant.fields.success_action_redirect).toBe(back)
    expect(grant.fields.success_action_status).toBeUndefined()
    const res = await postForm(grant.url, grant.fields, file(PNG))
    table.http('POST with success_action_redirect as signed', res, [303, undefined])
    const location = new URL(res.headers.location!)
    expect(`${location.origin}${location.pathname}`).toBe(back)
    expect(location.searchParams.get('key')).toBe(staged(grant))
    table.http('POST with success_action_redirect changed', await postForm(grant.url, { ...grant.fields, success_action_redirect: 'https://evil.example/' }, file(PNG)), [403, 'AccessDenied'])
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
    expect(await libraryCode(up.presign({ owner: 'alice', contentType: 'image/png', successRedirect: 'https://evil.example/' }))).toBe('INVALID_REQUEST')
  })
})
