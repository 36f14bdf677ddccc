// The upload lifecycle on each S3 peer (RGW and the test S3: peers.ts): grant → upload → complete() → (promote) → download. complete() is the
// control for what the signed headers cannot express: what the bytes really are, and whether a
// scanner calls them clean. Anything it refuses is deleted before the record is marked rejected.
import { randomUUID } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { GetBucketLifecycleConfigurationCommand, GetObjectCommand, PutBucketLifecycleConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createSafeDownload,
  createSafeUpload,
  memoryStore,
  quarantineLifecycleRule,
  type OwnershipStore,
  type SafeDownload,
  type SafeUploadConfig,
  type ScanHook,
  type ScanTarget,
} from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { httpRequest, postForm } from '../../helpers/rgw.js'
import { asPost, asPut, enforcementTable, head, HTML, libraryCode, minimalPng, putWith, rejection } from './support.js'

const PNG = minimalPng(4)

describePeers('upload lifecycle', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let downloads: SafeDownload
  const table = enforcementTable(`lifecycle [${peer.name}]`)

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    store = memoryStore()
    downloads = createSafeDownload({ client, bucket, store })
  })
  afterAll(async () => {
    table.flush()
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024, expiresIn: 60, ...extra })

  it('spoofed content: HTML sent honestly as image/png is accepted by S3, then rejected by complete() and deleted', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: HTML.length }))
    // Every signed header is honest (type image/png, the exact length): S3 has no reason to refuse.
    table.http('PUT, HTML bytes under an image/png grant', await putWith(grant, HTML), [200, undefined])
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentType: 'image/png' })

    table.library('complete(), HTML bytes declared image/png', await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'CONTENT_MISMATCH')
    expect(await head(client, bucket, grant.key)).toBeUndefined() // HeadObject: 404
    expect(await store.get(grant.key, Date.now())).toMatchObject({ state: 'rejected', reason: 'CONTENT_MISMATCH', sniffedType: 'text/html' })
    table.library('complete() again on a rejected upload', await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'UPLOAD_REJECTED')
    table.library('download presign of a rejected upload', await libraryCode(downloads.presign({ key: grant.key, requester: 'alice' })), 'NOT_FOUND')

    // Residual risk: the object is gone, so If-None-Match: * passes again while the grant lives. What
    // comes back is never served (the record stays rejected), but nothing expires it under uploads/.
    table.http('PUT again with the same grant after the rejection deleted the object', await putWith(grant, HTML), [200, undefined])
    expect(await libraryCode(downloads.presign({ key: grant.key, requester: 'alice' }))).toBe('NOT_FOUND')
  })

  it('oversized POST: S3 refuses it (400 EntityTooLarge); complete() finds nothing while the grant lives', async () => {
    const up = uploads({ method: 'POST', quarantine: { prefix: 'quarantine/' } })
    const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/png' }))
    const big = Buffer.concat([PNG, Buffer.alloc(1025 - PNG.length)])
    table.http('POST, 1025 bytes on a 1..1024 policy', await postForm(grant.url, grant.fields, { body: big, contentType: 'image/png', filename: 'big.png' }), [400, 'EntityTooLarge'])
    expect(await head(client, bucket, grant.fields.key!)).toBeUndefined()
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    table.library('complete() after a refused upload, grant still valid', await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'UPLOAD_MISSING')
    expect(await store.get(grant.key, Date.now())).toMatchObject({ state: 'pending' }) // the client may still retry
  })

  it('a valid PNG is completed and downloadable by its owner only', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length, filename: 'dot.png' }))
    expect((await putWith(grant, PNG)).status).toBe(200)
    table.library('complete() by someone else', await libraryCode(up.complete({ key: grant.key, owner: 'mallory' })), 'FORBIDDEN')
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', sniffedType: 'image/png', size: PNG.length })

    const res = await httpRequest((await downloads.presign({ key: grant.key, requester: 'alice' })).url)
    expect(res.status).toBe(200)
    expect(res.body.equals(PNG)).toBe(true)
    expect(res.headers['content-disposition']).toBe(`attachment; filename="dot.png"; filename*=UTF-8''dot.png`)
    expect(await libraryCode(downloads.presign({ key: grant.key, requester: 'mallory' }))).toBe('FORBIDDEN')
  })

  it('quarantine: the upload lands under quarantine/, complete() promotes it and removes the quarantined copy', async () => {
    const seen: ScanTarget[] = []
    const up = uploads({ quarantine: { prefix: 'quarantine/', scan: (target) => (seen.push(target), 'clean') } })
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    const staged = grant.key.replace(/^uploads\//, 'quarantine/')
    expect(new URL(grant.url).pathname).toBe(`/${bucket}/${staged}`)

    expect((await putWith(grant, PNG)).status).toBe(200)
    expect(await head(client, bucket, staged)).toMatchObject({ ContentLength: PNG.length })
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    table.library('download presign before complete() (quarantined)', await libraryCode(downloads.presign({ key: grant.key, requester: 'alice' })), 'NOT_COMMITTED')

    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
    expect(seen).toEqual([{ bucket, key: staged, finalKey: grant.key, contentType: 'image/png', size: PNG.length, owner: 'alice' }])
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png' })
    expect(await head(client, bucket, staged)).toBeUndefined()
    const res = await httpRequest((await downloads.presign({ key: grant.key, requester: 'alice' })).url)
    expect(res.status).toBe(200)
    expect(res.body.equals(PNG)).toBe(true)
  })

  const failingScans: [string, ScanHook][] = [
    ['returns "infected"', () => 'infected'],
    ['throws', () => Promise.reject(new Error('scanner unreachable'))],
    ['never resolves (scanTimeoutMs 200)', () => new Promise<never>(() => {})],
  ]
  it.each(failingScans)('quarantine: a scan hook that %s promotes nothing and deletes the quarantined object', async (name, scan) => {
    const up = uploads({ quarantine: { prefix: 'quarantine/', scan, scanTimeoutMs: 200 } })
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    const staged = grant.key.replace(/^uploads\//, 'quarantine/')
    expect((await putWith(grant, PNG)).status).toBe(200)
    expect(await head(client, bucket, staged)).toBeDefined()

    table.library(`complete(), scan hook ${name}`, await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'SCAN_FAILED')
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    expect(await head(client, bucket, staged)).toBeUndefined()
    expect(await store.get(grant.key, Date.now())).toMatchObject({ state: 'rejected', reason: 'SCAN_FAILED' })
  })

  it('defence in depth: an object that S3 should have refused (written out of band) is rejected by complete()', async () => {
    // The admin client stands in for a peer that does not enforce signed headers (an old emulator, a proxy).
    const up = uploads()
    const cases: [string, Buffer, string, string][] = [
      ['other size than signed', Buffer.concat([PNG, Buffer.from([0])]), 'image/png', 'SIZE_MISMATCH'],
      ['other type than signed', PNG, 'image/gif', 'TYPE_MISMATCH'],
    ]
    for (const [name, body, type, code] of cases) {
      const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: grant.key, Body: body, ContentType: type }))
      table.library(`complete(), object with ${name}`, await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), code)
      expect(await head(client, bucket, grant.key)).toBeUndefined()
    }
  })

  it('a POST form (S3 has no create-once POST) can be sent again to its key: a second form replaces the first object', async () => {
    // Why POST and overwrite builders require quarantine. Signed with the SDK's own createPresignedPost,
    // not the library: this is the peer's behaviour, and it does not depend on our signing.
    const key = `raw/${randomUUID()}.png`
    const { url, fields } = await createPresignedPost(client, { Bucket: bucket, Key: key, Conditions: [['content-length-range', 1, 1024]], Fields: { 'Content-Type': 'image/png', success_action_status: '201' }, Expires: 60 })
    const form = (body: Buffer) => postForm(url, fields, { body, contentType: 'image/png', filename: 'x.png' })
    expect((await form(PNG)).status).toBe(201)
    table.http('POST again with the same policy to the same key (SDK createPresignedPost, no library; replaces the first object)', await form(HTML), [201, undefined])
    const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    // Had the first object been verified and committed, downloads would now serve these bytes.
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(HTML)).toBe(true)
  })

  it('a POST builder or an overwriting PUT builder without quarantine is refused at creation (INVALID_CONFIG)', async () => {
    const cases: [string, Partial<SafeUploadConfig>, string][] = [
      ['createSafeUpload, method POST without quarantine (a replayed form would replace the verified object)', { method: 'POST' }, 'method'],
      ['createSafeUpload, overwrite true without quarantine (a replayed PUT would replace the verified object)', { overwrite: true }, 'overwrite'],
    ]
    for (const [name, config, option] of cases) {
      const error = await rejection(Promise.resolve().then(() => uploads(config)))
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option } })
      expect((error as Error).message).toContain('quarantine')
      table.library(name, (error as { code: string }).code, 'INVALID_CONFIG')
    }
  })

  it('with quarantine, a reused POST policy or PUT URL only refills quarantine/: the promoted object is untouched', async () => {
    const variants = [
      { label: 'POST', config: { method: 'POST' } },
      { label: 'PUT', config: { method: 'PUT' } },
      { label: 'PUT (overwrite: true)', config: { method: 'PUT', overwrite: true } },
    ] as const
    for (const { label, config } of variants) {
      const method = config.method
      const up = uploads({ ...config, quarantine: { prefix: 'quarantine/' } })
      const issued = await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length })
      const send = (body: Buffer) =>
        issued.method === 'POST' ? postForm(issued.url, issued.fields, { body, contentType: 'image/png', filename: 'x.png' }) : putWith(issued, body)
      expect((await send(PNG)).status).toBe(method === 'POST' ? 201 : 200)
      await up.complete({ key: issued.key, owner: 'alice' })
      const staged = issued.key.replace(/^uploads\//, 'quarantine/')
      expect(await head(client, bucket, staged)).toBeUndefined()

      // Same length as PNG, so the PUT's signed Content-Length and the exact-size policy both hold.
      const spoof = Buffer.concat([HTML, Buffer.alloc(PNG.length)]).subarray(0, PNG.length)
      table.http(`${label} again with the same grant after complete(), quarantine (lands in quarantine/; promoted object unchanged)`, await send(spoof), [method === 'POST' ? 201 : 200, undefined])
      expect(await head(client, bucket, staged)).toMatchObject({ ContentLength: PNG.length }) // left for the lifecycle rule
      const res = await httpRequest((await downloads.presign({ key: issued.key, requester: 'alice' })).url)
      expect(res.body.equals(PNG)).toBe(true)
    }
  })

  it('a POST form or overwriting PUT replayed while complete() runs (here: during the scan) is never promoted', async () => {
    // complete() verifies quarantine/<uuid>, then copies it to the final key: two steps. A grant that
    // can write twice still lives and can rewrite the staging key between them. The scan hook stands in
    // for that window (the widest one: up to scanTimeoutMs). The copy is conditional on the ETag that
    // was verified (CopySourceIfMatch), so S3 refuses it with 412 and complete() rejects the upload.
    const spoof = Buffer.concat([HTML, Buffer.alloc(PNG.length)]).subarray(0, PNG.length)
    for (const config of [{ method: 'POST' }, { method: 'PUT', overwrite: true }] as const) {
      let replayed: Promise<number> | undefined
      let send!: (body: Buffer) => ReturnType<typeof postForm>
      const scan: ScanHook = async () => {
        replayed = send(spoof).then((r) => r.status)
        await replayed
        return 'clean' as const
      }
      const up = uploads({ ...config, quarantine: { prefix: 'quarantine/', scan } })
      const issued = await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length })
      send = (body) => (issued.method === 'POST' ? postForm(issued.url, issued.fields, { body, contentType: 'image/png', filename: 'x.png' }) : putWith(issued, body))
      expect((await send(PNG)).status).toBe(config.method === 'POST' ? 201 : 200)
      const code = await up.complete({ key: issued.key, owner: 'alice' }).then(
        () => 'committed',
        (e: { code?: string }) => e.code,
      )
      const label = config.method === 'POST' ? 'POST' : 'PUT (overwrite: true)'
      table.note(`${label} replayed during complete()'s scan, quarantine: what is promoted`, `${await replayed}; nothing (library: ${code}; the copy's ETag was not the verified one, so it was deleted)`)
      expect(await replayed).toBe(config.method === 'POST' ? 201 : 200)
      expect(code).toBe('CONTENT_MISMATCH')
      expect(await head(client, bucket, issued.key)).toBeUndefined()
      expect(await head(client, bucket, issued.key.replace(/^uploads\//, 'quarantine/'))).toBeUndefined()
      await expect(downloads.presign({ key: issued.key, requester: 'alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
  })

  it('quarantineLifecycleRule: PutBucketLifecycleConfiguration accepts it and GetBucketLifecycleConfiguration reads it back', async () => {
    const rule = quarantineLifecycleRule({ prefix: 'quarantine/', days: 1 })
    let put: string
    try {
      await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [rule] } }))
      put = 'ok'
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
      put = `${e.$metadata?.httpStatusCode} ${e.name}: ${e.message}`
    }
    table.note('PutBucketLifecycleConfiguration(quarantineLifecycleRule)', put)
    expect(put).toBe('ok')
    const got = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))
    table.note('GetBucketLifecycleConfiguration', JSON.stringify(got.Rules))
    expect(got.Rules).toEqual([rule])
  })
})
