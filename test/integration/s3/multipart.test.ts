// Multipart uploads through the library against each S3 peer (RGW and the test S3: peers.ts), sent over plain HTTP as a browser would: each part
// URL binds its part's exact length, only the server completes, and completion verifies as complete().
import { createHash } from 'node:crypto'
import { GetObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSafeDownload, createSafeUpload, memoryStore, type MultipartUpload, type OwnershipStore, type PartGrant, type SafeUploadConfig } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { httpRequest } from '../../helpers/rgw.js'
import { splitFixture } from './split.js'
import { enforcementTable, head, HTML, libraryCode, minimalPng } from './support.js'

const MiB = 1024 ** 2
/** 11 MiB that sniff as PNG: a real PNG header, then filler (the sniff reads the first 4100 bytes). */
function pngOf(size: number): Buffer {
  const body = Buffer.alloc(size, 0x5a)
  minimalPng(8).copy(body, 0)
  return body
}
const BODY = pngOf(11 * MiB)
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64')

describePeers('multipart uploads', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  const table = enforcementTable(`multipart [${peer.name}]`)

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    store = memoryStore()
  })
  afterAll(async () => {
    table.flush()
    // Far in the future every record has expired: the sweep aborts whatever a failed test left open.
    if (bucket) await uploads().sweepMultipart({ now: Date.now() + 1e12 })
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 8 * 1024 ** 3, multipart: { partSize: 5 * MiB }, ...extra })

  const partOf = (upload: MultipartUpload, body: Buffer, n: number) => body.subarray((n - 1) * upload.partSize, Math.min(n * upload.partSize, body.length))
  /** A browser-like PUT of one part: the grant's headers but Content-Length, which fetch sets from the body. */
  function putPart(grant: PartGrant, body: Buffer, url = grant.url) {
    const headers = { ...grant.headers }
    delete headers['content-length']
    return httpRequest(url, { method: 'PUT', headers, body })
  }
  async function start(owner = 'alice', body = BODY, extra: Partial<SafeUploadConfig> = {}) {
    const up = uploads(extra)
    const upload = await up.createMultipart({ owner, contentType: 'image/png', size: body.length, filename: 'big scan.png' })
    const checksums = extra.checksum === 'md5'
    const grants = await up.signParts({ ...ref(upload, owner), parts: Array.from({ length: upload.partCount }, (_, i) => ({ partNumber: i + 1, ...(checksums ? { checksum: md5(partOf(upload, body, i + 1)) } : {}) })) })
    return { up, upload, grants, ref: ref(upload, owner) }
  }
  const ref = (upload: MultipartUpload, owner: string) => ({ key: upload.key, uploadId: upload.uploadId, owner })
  const inS3 = async (uploadId: string) => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).some((u) => u.UploadId === uploadId)
  const bytesOf = async (key: string) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined)
    return out?.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined
  }

  it('an honest 3-part upload (5 MiB, 5 MiB, 1 MiB, a real PNG) is committed, and downloadable by its owner only', async () => {
    const { up, upload, grants, ref: r } = await start()
    expect([upload.partSize, upload.partCount]).toEqual([5 * MiB, 3])
    expect(grants.map((g) => g.headers['content-length'])).toEqual([String(5 * MiB), String(5 * MiB), String(MiB)])
    for (const g of grants) table.http(`part ${g.partNumber} as signed (${g.headers['content-length']} bytes)`, await putPart(g, partOf(upload, BODY, g.partNumber)), [200, undefined])
    const done = await up.completeMultipart(r)
    expect(done).toMatchObject({ key: upload.key, state: 'committed', size: BODY.length, sniffedType: 'image/png', alreadyCommitted: false })
    table.note('completeMultipart after 3 honest parts', `${done.state}, ${done.size} bytes, sniffed ${done.sniffedType}`)
    expect(await up.completeMultipart(r)).toMatchObject({ alreadyCommitted: true })
    expect(await inS3(upload.uploadId)).toBe(false)
    const downloads = createSafeDownload({ client, bucket, store })
    const got = await httpRequest((await downloads.presign({ key: upload.key, requester: 'alice' })).url)
    table.http('owner downloads the completed object', got, [200, undefined])
    expect(got.body.equals(BODY)).toBe(true)
    table.library('another user asks for a link', await libraryCode(downloads.presign({ key: upload.key, requester: 'mallory' })), 'FORBIDDEN')
    // A part URL replayed after completion: the upload is gone, nothing changes.
    table.http('part 1 replayed after completion', await putPart(grants[0]!, partOf(upload, BODY, 1)), [404, 'NoSuchUpload'])
    expect((await bytesOf(upload.key))?.equals(BODY)).toBe(true)
  })

  it('a part one byte longer or shorter than signed, or its URL used for another part number or upload: 403', async () => {
    const { up, upload, grants, ref: r } = await start()
    const part1 = partOf(upload, BODY, 1)
    table.http('part 1, one byte more than signed', await putPart(grants[0]!, Buffer.concat([part1, Buffer.from([0])])), [403, 'SignatureDoesNotMatch'])
    table.http('part 1, one byte less than signed', await putPart(grants[0]!, part1.subarray(1)), [403, 'SignatureDoesNotMatch'])
    const other = new URL(grants[0]!.url)
    other.searchParams.set('partNumber', '2')
    table.http("part 1's URL with partNumber=2", await putPart(grants[0]!, part1, other.href), [403, 'SignatureDoesNotMatch'])
    const second = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    const foreign = new URL(grants[0]!.url)
    foreign.searchParams.set('uploadId', second.uploadId)
    table.http("part 1's URL with another upload's uploadId", await putPart(grants[0]!, part1, foreign.href), [403, 'SignatureDoesNotMatch'])
    expect((await up.listParts(r)).parts).toEqual([])
    await up.abortMultipart(ref(second, 'alice'))
  })

  it('signParts: another owner FORBIDDEN, part 0 or partCount+1 INVALID_REQUEST, an unknown uploadId NOT_FOUND', async () => {
    const { up, upload, ref: r } = await start()
    table.library('signParts by another owner', await libraryCode(up.signParts({ ...r, owner: 'mallory', parts: [{ partNumber: 1 }] })), 'FORBIDDEN')
    table.library('signParts part 0', await libraryCode(up.signParts({ ...r, parts: [{ partNumber: 0 }] })), 'INVALID_REQUEST')
    table.library(`signParts part ${upload.partCount + 1} of ${upload.partCount}`, await libraryCode(up.signParts({ ...r, parts: [{ partNumber: upload.partCount + 1 }] })), 'INVALID_REQUEST')
    table.library('signParts with an unknown uploadId', await libraryCode(up.signParts({ ...r, uploadId: '2~not-an-upload-of-this-key', parts: [{ partNumber: 1 }] })), 'NOT_FOUND')
    await up.abortMultipart(r)
  })

  it('completeMultipart with a part missing: rejected (UPLOAD_MISSING), and the upload aborted in S3', async () => {
    const { up, upload, grants, ref: r } = await start()
    for (const g of grants.slice(0, 2)) expect((await putPart(g, partOf(upload, BODY, g.partNumber))).status).toBe(200)
    table.library('completeMultipart with part 3 missing', await libraryCode(up.completeMultipart(r)), 'UPLOAD_MISSING')
    expect(await inS3(upload.uploadId)).toBe(false)
    expect((await store.get(upload.key, Date.now()))?.state).toBe('rejected')
    table.note('ListMultipartUploads after the rejection', (await inS3(upload.uploadId)) ? 'still listed' : 'gone (aborted)')
  })

  it('markup bytes declared image/png, across parts: CONTENT_MISMATCH, and the object deleted', async () => {
    const markup = Buffer.alloc(6 * MiB, 0x20)
    HTML.copy(markup, 0)
    const { up, upload, grants, ref: r } = await start('alice', markup)
    for (const g of grants) expect((await putPart(g, partOf(upload, markup, g.partNumber))).status).toBe(200)
    table.library('completeMultipart of HTML declared image/png', await libraryCode(up.completeMultipart(r)), 'CONTENT_MISMATCH')
    expect(await head(client, bucket, upload.key)).toBeUndefined()
  })

  it('completing where an object already exists under the key: refused, and those bytes unchanged', async () => {
    const { up, upload, grants, ref: r } = await start()
    for (const g of grants) expect((await putPart(g, partOf(upload, BODY, g.partNumber))).status).toBe(200)
    const first = pngOf(1000)
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: upload.key, Body: first, ContentType: 'image/png' }))
    table.library('completeMultipart over an existing object', await libraryCode(up.completeMultipart(r)), 'CONTENT_MISMATCH')
    expect((await bytesOf(upload.key))?.equals(first)).toBe(true)
    expect(await inS3(upload.uploadId)).toBe(false)
  })

  it("checksum 'md5': a part with the right length and other bytes is refused by S3 (400 BadDigest)", async () => {
    const { up, upload, grants, ref: r } = await start('alice', BODY, { checksum: 'md5' })
    expect(new URL(grants[0]!.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-md5')
    const forged = Buffer.from(partOf(upload, BODY, 1))
    forged[100] = forged[100]! ^ 0xff
    table.http('part 1 (md5 signed), other bytes of the same length', await putPart(grants[0]!, forged), [400, 'BadDigest'])
    for (const g of grants) expect((await putPart(g, partOf(upload, BODY, g.partNumber))).status).toBe(200)
    expect(await up.completeMultipart(r)).toMatchObject({ state: 'committed' })
  })

  it('resume: listParts after 2 of 3 parts shows them with sizes and ETags, then the rest finishes the upload', async () => {
    const { up, upload, grants, ref: r } = await start()
    const etags: string[] = []
    for (const g of grants.slice(0, 2)) etags.push((await putPart(g, partOf(upload, BODY, g.partNumber))).headers.etag!)
    const listed = await up.listParts(r)
    expect(listed).toMatchObject({ key: upload.key, uploadId: upload.uploadId, partSize: 5 * MiB, partCount: 3 })
    expect(listed.parts).toEqual([
      { partNumber: 1, size: 5 * MiB, etag: etags[0] },
      { partNumber: 2, size: 5 * MiB, etag: etags[1] },
    ])
    // After a reload: sign only what is missing.
    const [third] = await up.signParts({ ...r, parts: [{ partNumber: 3 }] })
    expect((await putPart(third!, partOf(upload, BODY, 3))).status).toBe(200)
    expect(await up.completeMultipart(r)).toMatchObject({ state: 'committed', size: BODY.length })
  })

  it('sweepMultipart aborts an abandoned upload (record expired) and leaves a live one alone', async () => {
    const up = uploads({ multipart: { partSize: 5 * MiB, expiresIn: 60 } })
    const abandoned = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    const live = await uploads().createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    // 2 minutes on: the abandoned upload's 60 s are over; the live one has a day.
    const swept = await up.sweepMultipart({ now: Date.now() + 120_000 })
    expect(swept.aborted).toContainEqual({ key: abandoned.key, uploadId: abandoned.uploadId, reason: 'expired' })
    expect(swept.aborted.map((a) => a.uploadId)).not.toContain(live.uploadId)
    expect(await inS3(abandoned.uploadId)).toBe(false)
    expect(await inS3(live.uploadId)).toBe(true)
    table.note('sweepMultipart: abandoned (expired record) / live', `${(await inS3(abandoned.uploadId)) ? 'kept' : 'aborted'} / ${(await inS3(live.uploadId)) ? 'kept' : 'aborted'}`)
    await uploads().abortMultipart(ref(live, 'alice'))
  })

  it('6 GiB: accepted for multipart (the plan only, nothing uploaded), refused for a single PUT', async () => {
    const up = uploads()
    const size = 6 * 1024 ** 3
    table.library('presign a single 6 GiB PUT', await libraryCode(up.presign({ owner: 'alice', contentType: 'image/png', size })), 'FILE_TOO_LARGE')
    const big = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size })
    expect([big.partSize, big.partCount]).toEqual([5 * MiB, Math.ceil(size / (5 * MiB))])
    await up.abortMultipart(ref(big, 'alice'))
  })
})

describePeers('multipart uploads with split signers', (peer) => {
  const fixture = splitFixture(peer, { prefix: 'uploads/', quarantinePrefix: 'quarantine/' })
  const table = enforcementTable(`multipart split [${peer.name}]`)
  afterAll(() => table.flush())

  it('the upload signer creates and fills it (parts sign x-amz-acl), the worker lists and verifies, the download signer serves it; + x-amz-copy-source on a part: 403', async () => {
    const { owner, split } = fixture()
    const store = memoryStore()
    const up = createSafeUpload({ client: owner, signer: split.uploadSigner, bucket: split.bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024 ** 3, multipart: { partSize: 5 * MiB }, quarantine: { prefix: 'quarantine/' } })
    const upload = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    const r = { key: upload.key, uploadId: upload.uploadId, owner: 'alice' }
    const grants = await up.signParts({ ...r, parts: [1, 2, 3].map((partNumber) => ({ partNumber })) })
    expect(grants[0]!.headers['x-amz-acl']).toBe('bucket-owner-full-control')
    expect(new URL(grants[0]!.url).searchParams.get('X-Amz-Credential')).toContain(split.users.upload.credentials.accessKeyId)
    const part = (n: number) => BODY.subarray((n - 1) * upload.partSize, Math.min(n * upload.partSize, BODY.length))
    const put = (g: PartGrant, body: Buffer, extra: Record<string, string> = {}) => {
      const headers: Record<string, string> = { ...g.headers, ...extra }
      delete headers['content-length']
      return httpRequest(g.url, { method: 'PUT', headers, body })
    }
    table.http('split: part 1 + unsigned x-amz-copy-source of an object outside the prefix', await put(grants[0]!, part(1), { 'x-amz-copy-source': `/${split.bucket}/private/none` }), [403, 'AccessDenied'])
    for (const g of grants) table.http(`split: part ${g.partNumber} as signed`, await put(g, part(g.partNumber)), [200, undefined])
    expect((await up.listParts(r)).parts.map((p) => p.size)).toEqual([5 * MiB, 5 * MiB, MiB])
    expect(await up.completeMultipart(r)).toMatchObject({ state: 'committed', size: BODY.length, sniffedType: 'image/png' })
    const link = await createSafeDownload({ client: owner, signer: split.downloadSigner, bucket: split.bucket, store }).presign({ key: upload.key, requester: 'alice' })
    const got = await httpRequest(link.url)
    table.http('split: download of the completed, promoted object', got, [200, undefined])
    expect(got.body.equals(BODY)).toBe(true)
  })

  it('abortMultipart and sweepMultipart work with the worker (RGW lets the bucket owner abort the signer\'s upload; the signer itself may not)', async () => {
    const { owner, split } = fixture()
    const up = createSafeUpload({ client: owner, signer: split.uploadSigner, bucket: split.bucket, store: memoryStore(), allowedContentTypes: ['image/png'], maxSize: 1024 ** 3, multipart: { expiresIn: 60 }, quarantine: { prefix: 'quarantine/' } })
    const a = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    const b = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    expect(await up.abortMultipart({ key: a.key, uploadId: a.uploadId, owner: 'alice' })).toEqual({ key: a.key, state: 'rejected' })
    const swept = await up.sweepMultipart({ now: Date.now() + 120_000 })
    expect(swept.aborted.map((x) => x.uploadId)).toEqual([b.uploadId])
    const left = await owner.send(new ListMultipartUploadsCommand({ Bucket: split.bucket }))
    expect((left.Uploads ?? []).map((u) => u.UploadId)).toEqual([])
  })
}, { users: true })
