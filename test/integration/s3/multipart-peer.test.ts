// What each S3 peer (RGW 16 and the test S3: peers.ts) does with multipart uploads, measured with the raw SDK and plain fetch before
// safe-presign builds on them: presigned part URLs (exact Content-Length signed, optionally Content-MD5 or
// x-amz-checksum-sha256), CompleteMultipartUpload's checks, who may touch whose upload under the split
// setup's bucket policy, replays, UploadPartCopy smuggling and the AbortIncompleteMultipartUpload rule.
// Each assertion is what RGW answered; where AWS documents otherwise the test says so.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { bytes, etagOf, listed, md5, MIN_PART, partUrl, removeAll, sdk, sendPart, sha256, Uploads, withQuery } from './multipart-support.js'
import { splitSetup, type SplitSetup } from './split.js'
import { enforcementTable } from './support.js'

const SECRET = Buffer.from('the bucket owner\'s private notes\n', 'utf8')

describePeers('multipart (raw SDK), the bucket owner signing', (peer) => {
  let owner: S3Client
  let bucket: string
  const uploads = new Uploads()
  const table = enforcementTable(`multipart-peer [${peer.name}]`)

  beforeAll(async () => {
    owner = peer.client()
    bucket = await peer.freshBucket()
    await owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'private/secret.txt', Body: SECRET }))
  })
  afterAll(async () => {
    table.flush()
    if (bucket) {
      await uploads.abortAll(owner)
      await removeAll(peer, owner, bucket)
    }
    owner?.destroy()
  })

  const create = (key: string) => uploads.create(owner, { Bucket: bucket, Key: key })
  /** Uploads `body` as part `n` with the owner's client, returns the part for a Complete list. */
  async function put(key: string, uploadId: string, n: number, body: Buffer): Promise<CompletedPart> {
    const res = await sendPart(await partUrl(owner, { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, ContentLength: body.length }), body)
    expect(res.status).toBe(200)
    return { PartNumber: n, ETag: res.headers.etag }
  }
  /** The headers of the last CompleteMultipartUpload sent, as signed (to prove If-None-Match etc. went out). */
  let sent: Record<string, string> = {}
  function complete(key: string, uploadId: string, parts: CompletedPart[], extra: Partial<CompleteMultipartUploadCommandInput> = {}) {
    const command = new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra })
    command.middlewareStack.add((next) => (args) => ((sent = { ...(args.request as { headers: Record<string, string> }).headers }), next(args)), { step: 'finalizeRequest', priority: 'low' })
    return sdk(() => owner.send(command))
  }

  it('a presigned part URL signs content-length: one byte more or less is 403 SignatureDoesNotMatch, the exact length 200 with the part\'s MD5 as ETag', async () => {
    const key = 'len/a'
    const id = await create(key)
    const body = bytes(1024)
    const part = await partUrl(owner, { Bucket: bucket, Key: key, UploadId: id, PartNumber: 1, ContentLength: body.length })
    table.note('UploadPart getSignedUrl(ContentLength): X-Amz-SignedHeaders', part.signed.join(';'))
    expect(part.signed).toContain('content-length')
    table.http('part URL, body one byte longer than signed', await sendPart(part, bytes(1025)), [403, 'SignatureDoesNotMatch'])
    table.http('part URL, body one byte shorter than signed', await sendPart(part, bytes(1023)), [403, 'SignatureDoesNotMatch'])
    const ok = await sendPart(part, body)
    table.http('part URL, the signed length', ok, [200, undefined])
    expect(ok.headers.etag).toBe(etagOf(body))

    // partNumber and uploadId are in the signed query: changing either breaks the signature.
    const other = await create(key)
    table.http('part URL with partNumber changed to 2', await sendPart(part, body, {}, withQuery(part.url, 'partNumber', '2')), [403, 'SignatureDoesNotMatch'])
    table.http('part URL with another uploadId (same key)', await sendPart(part, body, {}, withQuery(part.url, 'uploadId', other)), [403, 'SignatureDoesNotMatch'])
    const parts = await owner.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: other }))
    expect(parts.Parts ?? []).toEqual([])
  })

  it('signed Content-MD5: other bytes of the same length are 400 BadDigest; signed x-amz-checksum-sha256: RGW 16 does not compare it (200) and ListParts reports no checksum', async () => {
    const key = 'digest/a'
    const id = await create(key)
    const body = bytes(2048)
    const wrong = bytes(2048)
    const withMd5 = await partUrl(owner, { Bucket: bucket, Key: key, UploadId: id, PartNumber: 1, ContentLength: body.length, ContentMD5: md5(body) })
    table.note('UploadPart getSignedUrl(ContentMD5): X-Amz-SignedHeaders', withMd5.signed.join(';'))
    expect(withMd5.signed).toContain('content-md5')
    table.http('part URL with signed Content-MD5, other bytes of the same length', await sendPart(withMd5, wrong), [400, 'BadDigest'])
    table.http('part URL with signed Content-MD5, the right bytes', await sendPart(withMd5, body), [200, undefined])

    const withSha = await partUrl(owner, { Bucket: bucket, Key: key, UploadId: id, PartNumber: 2, ContentLength: body.length, ChecksumSHA256: sha256(body) })
    table.note('UploadPart getSignedUrl(ChecksumSHA256, unhoisted): X-Amz-SignedHeaders', withSha.signed.join(';'))
    expect(withSha.signed).toContain('x-amz-checksum-sha256')
    expect(new URL(withSha.url).searchParams.has('x-amz-checksum-sha256')).toBe(false)
    const sha = expectFor(peer, 'checksum-sha256')
    table.http('part URL with signed x-amz-checksum-sha256, other bytes of the same length', await sendPart(withSha, wrong), sha.put)

    const listing = await owner.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }))
    const seen = (listing.Parts ?? []).map((p) => ({ PartNumber: p.PartNumber, Size: p.Size, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256 }))
    table.note('ListParts after the MD5 part and the mismatching SHA-256 part', JSON.stringify(seen))
    expect(seen).toEqual([
      { PartNumber: 1, Size: 2048, ETag: etagOf(body), ChecksumSHA256: undefined },
      ...(sha.stored ? [{ PartNumber: 2, Size: 2048, ETag: etagOf(wrong), ChecksumSHA256: undefined }] : []),
    ])
  })

  it('CompleteMultipartUpload: a small non-last part is 400 EntityTooSmall, a wrong ETag 400 InvalidPart; parts listed out of order are accepted (200, AWS: 400 InvalidPartOrder) and assembled by part number', async () => {
    const small = await create('complete/small')
    const smallParts = [await put('complete/small', small, 1, bytes(1024)), await put('complete/small', small, 2, bytes(1024))]
    table.http('Complete with a 1 KiB non-last part', await complete('complete/small', small, smallParts), [400, 'EntityTooSmall'])

    const single = await create('complete/etag')
    await put('complete/etag', single, 1, bytes(1024))
    table.http('Complete with a wrong ETag for part 1', await complete('complete/etag', single, [{ PartNumber: 1, ETag: etagOf(bytes(8)) }]), [400, 'InvalidPart'])

    const key = 'complete/order'
    const id = await create(key)
    const first = bytes(MIN_PART)
    const last = bytes(100)
    const parts = [await put(key, id, 1, first), await put(key, id, 2, last)]
    const reversed = await complete(key, id, [parts[1]!, parts[0]!])
    table.http('Complete (5 MiB part 1, 100-byte part 2) with the parts listed 2, 1', reversed, expectFor(peer, 'complete-part-order'))
    // Where the reversed list is refused, the same parts in order complete, and the object is the same.
    if (reversed.status !== 200) table.http('Complete with the parts listed 1, 2', await complete(key, id, parts), [200, undefined])
    const got = await sdk(() => owner.send(new GetObjectCommand({ Bucket: bucket, Key: key })))
    const etag = (got.output as { ETag?: string } | undefined)?.ETag
    table.note('GET of the object completed from the list 2, 1', `${got.body.length} bytes, ETag ${etag}, ${got.body.equals(Buffer.concat([first, last])) ? 'part 1 then part 2' : 'other bytes'}`)
    expect(got.body.equals(Buffer.concat([first, last]))).toBe(true)
    expect(etag).toMatch(/^"[0-9a-f]{32}-2"$/)
  })

  it('CompleteMultipartUpload ignores If-None-Match: * (200 and the existing object is replaced; AWS: 412) and x-amz-mp-object-size (a wrong size is 200; AWS: 400)', async () => {
    await owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'inm/exists', Body: SECRET }))
    const body = bytes(300)
    const onExisting = await create('inm/exists')
    const p1 = await put('inm/exists', onExisting, 1, body)
    const inm = expectFor(peer, 'complete-if-none-match')
    table.http('Complete with If-None-Match: * on an existing key', await complete('inm/exists', onExisting, [p1], { IfNoneMatch: '*' }), inm.complete)
    expect(sent['if-none-match']).toBe('*')
    const after = await owner.send(new HeadObjectCommand({ Bucket: bucket, Key: 'inm/exists' }))
    table.note('HEAD of the existing key after that Complete', `${after.ContentLength} bytes (was ${SECRET.length})`)
    expect(after.ContentLength).toBe(inm.replaced ? body.length : SECRET.length)
    const fresh = await create('inm/new')
    const p2 = await put('inm/new', fresh, 1, body)
    table.http('Complete with If-None-Match: * on a new key', await complete('inm/new', fresh, [p2], { IfNoneMatch: '*' }), [200, undefined])

    const sized = await create('size/wrong')
    const p3 = await put('size/wrong', sized, 1, body)
    const sizeCheck = expectFor(peer, 'complete-mpu-object-size')
    table.http('Complete with MpuObjectSize one byte too many', await complete('size/wrong', sized, [p3], { MpuObjectSize: body.length + 1 }), sizeCheck)
    expect(sent['x-amz-mp-object-size']).toBe(String(body.length + 1))
    const wrongHead = await sdk(() => owner.send(new HeadObjectCommand({ Bucket: bucket, Key: 'size/wrong' })))
    expect([wrongHead.status, wrongHead.output?.ContentLength]).toEqual(sizeCheck[0] === 200 ? [200, body.length] : [404, undefined])
    const right = await create('size/right')
    const p4 = await put('size/right', right, 1, body)
    table.http('Complete with the right MpuObjectSize', await complete('size/right', right, [p4], { MpuObjectSize: body.length }), [200, undefined])
  })

  it('a part URL replayed after Complete or after Abort is 404 NoSuchUpload; an aborted upload is no longer listed', async () => {
    const body = bytes(512)
    const done = await create('replay/done')
    const part = await partUrl(owner, { Bucket: bucket, Key: 'replay/done', UploadId: done, PartNumber: 1, ContentLength: body.length })
    const first = await sendPart(part, body)
    expect((await complete('replay/done', done, [{ PartNumber: 1, ETag: first.headers.etag }])).status).toBe(200)
    table.http('part URL replayed after Complete', await sendPart(part, body), [404, 'NoSuchUpload'])

    const gone = await create('replay/aborted')
    const again = await partUrl(owner, { Bucket: bucket, Key: 'replay/aborted', UploadId: gone, PartNumber: 1, ContentLength: body.length })
    expect(await listed(owner, bucket, 'replay/', gone)).toBe(true)
    await owner.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'replay/aborted', UploadId: gone }))
    table.http('part URL used after Abort', await sendPart(again, body), [404, 'NoSuchUpload'])
    const still = await listed(owner, bucket, 'replay/', gone)
    table.note('ListMultipartUploads(Prefix) after Abort', still ? 'still listed' : 'gone')
    expect(still).toBe(false)
  })

  it('a part URL + unsigned x-amz-copy-source, signed by the bucket owner: with a body, 400 RequestTimeout and no part; signed for 0 bytes, RGW copies the source into the part (200; AWS refuses unsigned x-amz-* headers)', async () => {
    const key = 'copy/a'
    const id = await create(key)
    const source = { 'x-amz-copy-source': `/${bucket}/private/secret.txt` }
    const body = bytes(64)
    const part = await partUrl(owner, { Bucket: bucket, Key: key, UploadId: id, PartNumber: 1, ContentLength: body.length })
    const smuggle = expectFor(peer, 'unsigned-copy-source-part')
    table.http('owner-signed 64-byte part URL + unsigned x-amz-copy-source', await sendPart(part, body, source), smuggle.withBody)
    expect((await owner.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }))).Parts ?? []).toEqual([])
    const empty = await partUrl(owner, { Bucket: bucket, Key: key, UploadId: id, PartNumber: 2, ContentLength: 0 })
    const res = await sendPart(empty, Buffer.alloc(0), source)
    table.http('owner-signed 0-byte part URL + unsigned x-amz-copy-source', res, smuggle.empty)
    expect(res.body.toString('utf8').includes('<CopyPartResult')).toBe(smuggle.copied)
    const p = (await owner.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }))).Parts
    table.note('ListParts after the smuggled copy', JSON.stringify(p?.map(({ PartNumber, Size, ETag }) => ({ PartNumber, Size, ETag }))))
    expect(p?.map(({ PartNumber, Size, ETag }) => ({ PartNumber, Size, ETag })) ?? []).toEqual(smuggle.copied ? [{ PartNumber: 2, Size: SECRET.length, ETag: etagOf(SECRET) }] : [])
  })

  it('PutBucketLifecycleConfiguration with AbortIncompleteMultipartUpload (1 day) on a prefix: accepted and read back identical', async () => {
    const rule = { ID: 'abort-stale-uploads', Status: 'Enabled' as const, Filter: { Prefix: 'uploads/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }
    const put = await sdk(() => owner.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [rule] } })))
    table.http('PutBucketLifecycleConfiguration(AbortIncompleteMultipartUpload 1 day)', put, [200, undefined])
    const got = await owner.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))
    table.note('GetBucketLifecycleConfiguration', JSON.stringify(got.Rules))
    expect(got.Rules).toEqual([rule])
  })
})

describePeers('multipart (raw SDK), split signers (the upload signer may only s3:PutObject on uploads/)', (peer) => {
  let owner: S3Client
  let split: SplitSetup
  const uploads = new Uploads()
  const table = enforcementTable(`multipart-peer split [${peer.name}]`)

  beforeAll(async () => {
    owner = peer.client()
    split = await splitSetup(peer, owner)
    await owner.send(new PutObjectCommand({ Bucket: split.bucket, Key: 'private/secret.txt', Body: SECRET }))
    await owner.send(new PutObjectCommand({ Bucket: split.bucket, Key: 'uploads/owners.txt', Body: SECRET }))
  })
  afterAll(async () => {
    table.flush()
    if (split) {
      await uploads.abortAll(owner)
      split.uploadSigner.destroy()
      split.downloadSigner.destroy()
      await removeAll(peer, owner, split.bucket)
    }
    owner?.destroy()
  })

  const BOFC = 'bucket-owner-full-control'
  /** Part 1 of `key` presigned by the upload signer, with a signed x-amz-acl header unless `acl` is null. */
  const signerPart = async (uploadId: string, key: string, body: Buffer, extra: Record<string, string> = {}, acl: string | null = BOFC) =>
    sendPart(await partUrl(split.uploadSigner, { Bucket: split.bucket, Key: key, UploadId: uploadId, PartNumber: 1, ContentLength: body.length }, acl ?? undefined), body, extra)
  const asOwner = { head: (key: string) => sdk(() => owner.send(new HeadObjectCommand({ Bucket: split.bucket, Key: key }))), get: (key: string) => sdk(() => owner.send(new GetObjectCommand({ Bucket: split.bucket, Key: key }))) }
  const listParts = (client: S3Client, key: string, id: string) => sdk(() => client.send(new ListPartsCommand({ Bucket: split.bucket, Key: key, UploadId: id })))
  const completeBy = (client: S3Client, key: string, id: string, etag: string | undefined) =>
    sdk(() => client.send(new CompleteMultipartUploadCommand({ Bucket: split.bucket, Key: key, UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] } })))
  const abortBy = (client: S3Client, key: string, id: string) => sdk(() => client.send(new AbortMultipartUploadCommand({ Bucket: split.bucket, Key: key, UploadId: id })))

  // UploadPart has no x-amz-acl on AWS (its s3:x-amz-acl key is absent, so ...IfExists passes there: not measured here).
  it('the upload signer\'s part URL needs a signed x-amz-acl: bucket-owner-full-control: without it 403 AccessDenied (RGW evaluates s3:x-amz-acl as present and empty, so the Allow\'s StringEqualsIfExists fails), with it 200 into the owner\'s upload, which the owner completes and reads', async () => {
    const key = 'uploads/owner-created'
    const body = bytes(256)
    const id = await uploads.create(owner, { Bucket: split.bucket, Key: key })
    table.http('signer-presigned part into an owner-created upload, no x-amz-acl', await signerPart(id, key, body, {}, null), expectFor(peer, 'upload-part-acl-key'))
    const res = await signerPart(id, key, body)
    table.http('signer-presigned part into an owner-created upload, signed x-amz-acl: bucket-owner-full-control', res, [200, undefined])
    table.http('owner Complete of its upload with the signer\'s part', await completeBy(owner, key, id, res.headers.etag), [200, undefined])
    table.http('owner HEAD after owner Complete', await asOwner.head(key), [200, undefined])
    const got = await asOwner.get(key)
    table.http('owner GET after owner Complete', got, [200, undefined])
    expect(got.body.equals(body)).toBe(true)
  })

  type Seen = [number, string | undefined]
  const OK: Seen = [200, undefined]
  const DENIED: Seen = [403, 'AccessDenied']
  const owns = expectFor(peer, 'object-writer-owns')
  it.each([
    ['with ACL bucket-owner-full-control', 'the owner may ListParts, Complete (200), Abort (204), then HEAD and GET', { ACL: BOFC } as const, { list: OK, complete: OK, head: OK, get: OK, abort: [204, undefined] as Seen }],
    ['without an ACL', 'the owner may Complete (200) and Abort (204); ListParts, HEAD and GET of the object it completed are 403 on RGW (deviation object-writer-owns), 200 on AWS', {}, { ...owns, complete: OK, abort: [204, undefined] as Seen }],
  ])('an upload the upload signer created %s: %s', async (name, _summary, acl, expected) => {
    const body = bytes(256)
    const key = `uploads/signer-created-${'ACL' in acl ? 'bofc' : 'plain'}`
    const created = await uploads.attempt(split.uploadSigner, { Bucket: split.bucket, Key: key, ...acl })
    table.http(`signer CreateMultipartUpload on uploads/ (${name})`, created, OK)
    const id = created.uploadId!
    table.http(`signer-presigned part into its own upload, no x-amz-acl (${name})`, await signerPart(id, key, body, {}, null), expectFor(peer, 'upload-part-acl-key'))
    const part = await signerPart(id, key, body)
    table.http(`signer-presigned part into its own upload (${name})`, part, OK)
    table.http(`owner ListParts of the signer's upload (${name})`, await listParts(owner, key, id), expected.list)
    table.http(`owner Complete of the signer's upload (${name})`, await completeBy(owner, key, id, part.headers.etag), expected.complete)
    table.http(`owner HEAD after owner Complete (${name})`, await asOwner.head(key), expected.head)
    table.http(`owner GET after owner Complete (${name})`, await asOwner.get(key), expected.get)
    const other = await uploads.create(split.uploadSigner, { Bucket: split.bucket, Key: `${key}-abort`, ...acl })
    table.http(`owner Abort of the signer's upload (${name})`, await abortBy(owner, `${key}-abort`, other), expected.abort)
  })

  it('the upload signer under the policy may ListParts (200) and Complete (200) its own upload, the owner then reads it; it may not Abort it, ListMultipartUploads, or CreateMultipartUpload outside uploads/ (403)', async () => {
    const body = bytes(256)
    const key = 'uploads/signer-self'
    const id = await uploads.create(split.uploadSigner, { Bucket: split.bucket, Key: key, ACL: BOFC })
    const part = await signerPart(id, key, body)
    expect(part.status).toBe(200)
    table.http('signer ListParts of its own upload (RGW lets the upload\'s creator list it; AWS needs s3:ListMultipartUploadParts)', await listParts(split.uploadSigner, key, id), expectFor(peer, 'upload-owner-lists-parts'))
    table.http('signer ListMultipartUploads (Denied by the policy)', await sdk(() => split.uploadSigner.send(new ListMultipartUploadsCommand({ Bucket: split.bucket, Prefix: 'uploads/' }))), [403, 'AccessDenied'])
    table.http('signer Complete of its own upload', await completeBy(split.uploadSigner, key, id, part.headers.etag), [200, undefined])
    table.http('owner HEAD after signer Complete', await asOwner.head(key), [200, undefined])
    const got = await asOwner.get(key)
    table.http('owner GET after signer Complete', got, [200, undefined])
    expect(got.body.equals(body)).toBe(true)
    const other = await uploads.create(split.uploadSigner, { Bucket: split.bucket, Key: 'uploads/signer-abort', ACL: BOFC })
    table.http('signer Abort of its own upload', await abortBy(split.uploadSigner, 'uploads/signer-abort', other), [403, 'AccessDenied'])
    table.http('signer CreateMultipartUpload outside uploads/', await uploads.attempt(split.uploadSigner, { Bucket: split.bucket, Key: 'private/signer.txt', ACL: BOFC }), DENIED)
  })

  it('a part URL signed by the upload signer (x-amz-acl signed) + unsigned x-amz-copy-source is refused (403 AccessDenied), with a body and for 0 bytes; nothing stored', async () => {
    const key = 'uploads/copy'
    const id = await uploads.create(owner, { Bucket: split.bucket, Key: key })
    for (const source of ['private/secret.txt', 'uploads/owners.txt']) {
      for (const body of [bytes(64), Buffer.alloc(0)]) {
        const res = await signerPart(id, key, body, { 'x-amz-copy-source': `/${split.bucket}/${source}` })
        table.http(`signer ${body.length}-byte part URL + unsigned x-amz-copy-source (${source})`, res, [403, 'AccessDenied'])
      }
    }
    const listing = await owner.send(new ListPartsCommand({ Bucket: split.bucket, Key: key, UploadId: id }))
    expect(listing.Parts ?? []).toEqual([])
    // The refusals came from the header alone: the same kind of URL without it is accepted.
    table.http('signer 64-byte part URL as issued (control)', await signerPart(id, key, bytes(64)), [200, undefined])
  })
}, { users: true })
