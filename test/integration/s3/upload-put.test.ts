// createSafeUpload with PUT grants, used over real HTTP against each S3 peer (RGW and the test S3: peers.ts): what the signed headers make S3
// refuse, and what complete() catches when S3 does not. Every refusal is paired with a success on the
// same kind of grant, so a 403 can only come from what the case changed.
import { createHash, randomUUID } from 'node:crypto'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, type OwnershipStore, type SafeUploadConfig } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { httpRequest } from '../../helpers/rgw.js'
import { asPut, enforcementTable, head, libraryCode, minimalPng, putWith, tamperUrl } from './support.js'

const PNG = minimalPng(8)
const TEXT = Buffer.from('hello from safe-presign\n', 'utf8')
const b64 = (algorithm: 'md5' | 'sha256', body: Buffer) => createHash(algorithm).update(body).digest('base64')

describePeers('createSafeUpload PUT', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  const table = enforcementTable(`upload-put [${peer.name}]`)

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
    createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png', 'text/plain'], maxSize: 1024 * 1024, expiresIn: 60, ...extra })

  it('uploads with the grant as issued (200), stores size, type and filename, and commits on complete()', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', filename: 'holiday photo.png', contentType: 'image/png', size: PNG.length }))
    expect(grant.key).toMatch(/^uploads\/[0-9a-f-]{36}\.png$/)
    expect(Object.keys(grant.headers).sort()).toEqual(['content-length', 'content-type', 'if-none-match', 'x-amz-meta-filename'])
    const signedHeaders = new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host', 'if-none-match', 'x-amz-meta-filename']))
    expect(new URL(grant.url).searchParams.get('X-Amz-Expires')).toBe('60')

    table.http('PUT with the grant as issued', await putWith(grant, PNG), [200, undefined])
    const stored = await head(client, bucket, grant.key)
    expect(stored).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: encodeURIComponent('holiday photo.png') } })

    table.http('second PUT to the same URL (signed If-None-Match: *)', await putWith(grant, PNG), [412, 'PreconditionFailed'])

    const done = await up.complete({ key: grant.key, owner: 'alice' })
    expect(done).toMatchObject({ key: grant.key, state: 'committed', size: PNG.length, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false })
    expect((await store.get(grant.key, Date.now()))?.state).toBe('committed')
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ alreadyCommitted: true })
  })

  it('refuses a body one byte longer or one byte shorter than the signed Content-Length, storing nothing', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'text/plain', size: TEXT.length }))
    table.http('PUT, one byte more than signed', await putWith(grant, Buffer.concat([TEXT, Buffer.from('!')])), [403, 'SignatureDoesNotMatch'])
    table.http('PUT, one byte less than signed', await putWith(grant, TEXT.subarray(1)), [403, 'SignatureDoesNotMatch'])
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    // The same grant with the signed length still works: the refusals came from the length alone.
    expect((await putWith(grant, TEXT)).status).toBe(200)
  })

  it('refuses another Content-Type than the signed one (403), storing nothing', async () => {
    const grant = asPut(await uploads().presign({ owner: 'alice', contentType: 'image/png', size: TEXT.length }))
    table.http('PUT, Content-Type text/plain on an image/png grant', await putWith(grant, TEXT, { headers: { 'content-type': 'text/plain' } }), [403, 'SignatureDoesNotMatch'])
    table.http('PUT, Content-Type text/html on an image/png grant', await putWith(grant, TEXT, { headers: { 'content-type': 'text/html' } }), [403, 'SignatureDoesNotMatch'])
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  })

  it("checksum 'md5': a different body of the same length is refused (400 BadDigest), the right one accepted", async () => {
    const up = uploads({ checksum: 'md5' })
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'text/plain', size: TEXT.length, checksum: b64('md5', TEXT) }))
    expect(grant.headers['content-md5']).toBe(b64('md5', TEXT))
    const forged = Buffer.from(TEXT.toString('utf8').toUpperCase(), 'utf8')
    expect(forged.length).toBe(TEXT.length)
    table.http('PUT (md5 grant), other body of the same length', await putWith(grant, forged), [400, 'BadDigest'])
    expect(await head(client, bucket, grant.key)).toBeUndefined()
    table.http('PUT (md5 grant), Content-MD5 header dropped', await putWith(grant, TEXT, { headers: { 'content-md5': undefined } }), [403, 'SignatureDoesNotMatch'])

    table.http('PUT (md5 grant), the declared body', await putWith(grant, TEXT), [200, undefined])
    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
  })

  it("checksum 'sha256': a missing header is refused (403); a wrong body is refused by S3 (400 BadDigest) or, on RGW (deviation checksum-sha256), by complete()", async () => {
    const up = uploads({ checksum: 'sha256' })
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'text/plain', size: TEXT.length, checksum: b64('sha256', TEXT) }))
    // Kept a header (not hoisted into the query, where S3 would ignore it) and so signed.
    expect(grant.headers['x-amz-checksum-sha256']).toBe(b64('sha256', TEXT))
    expect(new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-checksum-sha256')
    table.http('PUT (sha256 grant), x-amz-checksum-sha256 header dropped', await putWith(grant, TEXT, { headers: { 'x-amz-checksum-sha256': undefined } }), [403, 'SignatureDoesNotMatch'])

    const forged = Buffer.from(TEXT.toString('utf8').toUpperCase(), 'utf8')
    const deviation = expectFor(peer, 'checksum-sha256')
    table.http('PUT (sha256 grant), other body of the same length', await putWith(grant, forged), deviation.put)
    if (deviation.stored) {
      // RGW does not keep the claimed digest either: HeadObject has no ChecksumSHA256, so complete() hashes the bytes.
      const claimed = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: grant.key, ChecksumMode: 'ENABLED' }))
      table.note('HeadObject (ChecksumMode ENABLED) after that PUT: ChecksumSHA256', claimed.ChecksumSHA256 ?? 'absent')
      expect(claimed.ChecksumSHA256).toBeUndefined()
      table.library('complete() after that PUT', await libraryCode(up.complete({ key: grant.key, owner: 'alice' })), 'CHECKSUM_MISMATCH')
      expect(await store.get(grant.key, Date.now())).toMatchObject({ state: 'rejected', reason: 'CHECKSUM_MISMATCH' })
    }
    expect(await head(client, bucket, grant.key)).toBeUndefined()

    const good = asPut(await up.presign({ owner: 'alice', contentType: 'text/plain', size: TEXT.length, checksum: b64('sha256', TEXT) }))
    table.http('PUT (sha256 grant), the declared body', await putWith(good, TEXT), [200, undefined])
    expect(await up.complete({ key: good.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
  })

  it('an extra header the grant did not ask for is not signed: S3 takes it (200) and stores it', async () => {
    // What "every header is signed" can honestly mean: every header the grant tells the client to send.
    // Other headers (Content-Disposition, Cache-Control, ...) are not in X-Amz-SignedHeaders, and a
    // client may add them. Download links override the disposition and the type, not the rest.
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    const extra = { 'content-disposition': 'inline', 'cache-control': 'public, max-age=31536000' }
    const signed = new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? []
    for (const name of Object.keys(extra)) expect(signed).not.toContain(name)
    const result = await putWith(grant, PNG, { headers: extra })
    table.http('PUT with extra unsigned headers (Content-Disposition: inline, Cache-Control)', result, [200, undefined])
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentDisposition: 'inline', CacheControl: 'public, max-age=31536000' })
  })

  it('refuses a tampered signature (403), storing nothing', async () => {
    const grant = asPut(await uploads().presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    table.http('PUT, tampered X-Amz-Signature', await putWith(grant, PNG, { url: tamperUrl(grant.url) }), [403, 'SignatureDoesNotMatch'])
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  })

  it('refuses an expired grant (403 AccessDenied): signed 10 minutes ago for 60 s', async () => {
    const tenMinutesAgo = () => Date.now() - 10 * 60_000
    const grant = asPut(await uploads({ now: tenMinutesAgo, expiresIn: 60 }).presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    expect(grant.expiresAt).toBeLessThan(Date.now())
    table.http('PUT, grant expired', await putWith(grant, PNG), [403, 'AccessDenied'])
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  })

  it("refuses the grant's URL used for another key (403), storing nothing there", async () => {
    const grant = asPut(await uploads().presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    const other = `uploads/${randomUUID()}.png`
    const url = new URL(grant.url)
    url.pathname = url.pathname.replace(grant.key, other)
    expect(url.pathname).toContain(other)
    table.http('PUT, grant URL with another key in the path', await putWith(grant, PNG, { url: url.href }), [403, 'SignatureDoesNotMatch'])
    expect(await head(client, bucket, other)).toBeUndefined()
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  })

  it('refuses anonymous PUT and GET (403 AccessDenied)', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    expect((await putWith(grant, PNG)).status).toBe(200)
    await up.complete({ key: grant.key, owner: 'alice' })
    const base = `${peer.endpoint}/${bucket}`

    const anonPutKey = `uploads/${randomUUID()}.png`
    table.http('anonymous PUT (no signature)', await httpRequest(`${base}/${anonPutKey}`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG }), [403, 'AccessDenied'])
    expect(await head(client, bucket, anonPutKey)).toBeUndefined()
    table.http('anonymous GET of a committed object', await httpRequest(`${base}/${grant.key}`), [403, 'AccessDenied'])
  })

  it('a path in the filename never reaches the key: UUID key, sanitized name as metadata only', async () => {
    const up = uploads()
    const grant = asPut(await up.presign({ owner: 'alice', filename: '../../etc/passwd.png', contentType: 'image/png', size: PNG.length }))
    expect(grant.key).toMatch(/^uploads\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$/)
    expect(grant.url).not.toContain('passwd')
    expect(grant.headers['x-amz-meta-filename']).toBe('passwd.png')
    expect((await putWith(grant, PNG)).status).toBe(200)
    expect(await head(client, bucket, grant.key)).toMatchObject({ Metadata: { filename: 'passwd.png' } })
    table.note('PUT, filename "../../etc/passwd.png"', `200; key ${grant.key.replace(/[0-9a-f-]{36}/, '{uuid}')}, x-amz-meta-filename: passwd.png`)
  })

  it('keeps expiry short: 300 s by default, and fails closed above the caps', async () => {
    const byDefault = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024 })
    const grant = asPut(await byDefault.presign({ owner: 'alice', contentType: 'image/png', size: 10 }))
    expect(new URL(grant.url).searchParams.get('X-Amz-Expires')).toBe('300')
    let configError: unknown
    try {
      uploads({ expiresIn: 604_801 })
    } catch (error) {
      configError = error
    }
    table.library('createSafeUpload, expiresIn 604801 (above 7 days)', (configError as { code?: string })?.code ?? 'no error', 'INVALID_CONFIG')
  })

  it('refuses to sign what it must not (no URL is issued at all)', async () => {
    const up = uploads()
    table.library('presign, type not on the allowlist (text/html)', await libraryCode(up.presign({ owner: 'alice', contentType: 'text/html', size: 10 })), 'CONTENT_TYPE_NOT_ALLOWED')
    table.library('presign, size above maxSize', await libraryCode(up.presign({ owner: 'alice', contentType: 'image/png', size: 1024 * 1024 + 1 })), 'FILE_TOO_LARGE')
    table.library('presign, PUT without a size', await libraryCode(up.presign({ owner: 'alice', contentType: 'image/png' })), 'INVALID_REQUEST')
    table.library('presign, expiresIn above the cap', await libraryCode(up.presign({ owner: 'alice', contentType: 'image/png', size: 10, expiresIn: 61 })), 'EXPIRY_TOO_LONG')
    table.library('presign, checksum builder without a checksum', await libraryCode(uploads({ checksum: 'sha256' }).presign({ owner: 'alice', contentType: 'image/png', size: 10 })), 'CHECKSUM_REQUIRED')
  })
})
