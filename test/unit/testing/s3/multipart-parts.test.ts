// CreateMultipartUpload, UploadPart and UploadPartCopy in the strict test S3, over real HTTP: the AWS SDK, presigned part URLs and plain
// fetch. Each row asserts the HTTP status and the S3 error code AWS documents (undefined: accepted).
// Where Ceph RGW 16 answers otherwise (test/integration/s3/multipart-peer.test.ts and a probe), the row
// says so: the test S3 follows AWS.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CreateMultipartUploadCommandInput,
} from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, it } from 'vitest'

import {
  useMultipartS3,
  MiB,
  Outcome,
  OK,
  md5,
  sha256,
  etagOf,
  fill,
  sdk,
  http,
  small,
  root,
  writer,
  reader,
  aclBound,
  as,
  sendCreate,
  sendPart,
  create,
  part,
  complete,
  partUrl,
  bytesOf,
} from './multipart-support.js'

useMultipartS3()

describe('CreateMultipartUpload', () => {
  it('answers a random base64url upload id of 64 characters, a new one each time', async () => {
    const ids = [await create('create/a'), await create('create/a')]
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{64}$/)
    expect(ids[0]).not.toBe(ids[1])
  })

  it.each<[string, () => Promise<unknown>, Outcome]>([
    ['no options', () => sendCreate('create/plain'), OK],
    ['ACL bucket-owner-full-control (BucketOwnerEnforced allows it)', () => sendCreate('create/bofc', { ACL: 'bucket-owner-full-control' }), OK],
    ['ACL public-read on a BucketOwnerEnforced bucket', () => sendCreate('create/public', { ACL: 'public-read' }), [400, 'AccessControlListNotSupported']],
    ['ChecksumAlgorithm SHA256', () => sendCreate('create/sha', { ChecksumAlgorithm: 'SHA256' }), OK],
    ['ChecksumAlgorithm CRC32 + ChecksumType FULL_OBJECT', () => sendCreate('create/crc', { ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }), OK],
    ['ChecksumAlgorithm SHA256 + ChecksumType FULL_OBJECT', () => sendCreate('create/x', { ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' }), [400, 'InvalidRequest']],
    ['ChecksumAlgorithm CRC64NVME + ChecksumType COMPOSITE (RGW 16: 200)', () => sendCreate('create/x', { ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'COMPOSITE' }), [400, 'InvalidRequest']],
    ['ChecksumType without ChecksumAlgorithm', () => sendCreate('create/x', { ChecksumType: 'COMPOSITE' }), [400, 'InvalidRequest']],
    ['ChecksumAlgorithm MD4 (no such algorithm)', () => sendCreate('create/x', { ChecksumAlgorithm: 'MD4' as never }), [400, 'InvalidRequest']],
    ['by a principal without s3:PutObject', () => sendCreate('create/x', {}, as(reader)), [403, 'AccessDenied']],
    ['by a principal with s3:PutObject on the key', () => sendCreate('create/w', {}, as(writer)), OK],
    ['s3:x-amz-acl condition, no ACL sent', () => sendCreate('create/x', {}, as(aclBound)), [403, 'AccessDenied']],
    ['s3:x-amz-acl condition, ACL bucket-owner-full-control sent', () => sendCreate('create/acl', { ACL: 'bucket-owner-full-control' }, as(aclBound)), OK],
    ['in a bucket that does not exist', () => sendCreate('x', {}, root, 'no-such-bucket'), [404, 'NoSuchBucket']],
  ])('%s', async (_name, call, expected) => {
    expect(await sdk(call())).toEqual(expected)
  })

  it('echoes the checksum algorithm and type it will enforce', async () => {
    const out = await root.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'create/echo', ChecksumAlgorithm: 'SHA256' }))
    expect([out.ChecksumAlgorithm, out.ChecksumType]).toEqual(['SHA256', 'COMPOSITE'])
  })
})

describe('UploadPart', () => {
  it.each<[string, string, Outcome]>([
    ['1', 'lowest', OK],
    ['10000', 'highest', OK],
    ['0', 'RGW 16: 200', [400, 'InvalidArgument']],
    ['10001', 'RGW 16: 200', [400, 'InvalidArgument']],
    ['abc', 'not a number', [400, 'InvalidArgument']],
  ])('partNumber=%s (%s)', async (n, _why, expected) => {
    const id = await create('part/number')
    const url = await partUrl('part/number', id, n as unknown as number, 3)
    expect(await http(url, { method: 'PUT', body: 'abc' })).toEqual(expected)
  })

  it('an upload id that is unknown, of another key, aborted or completed: 404 NoSuchUpload', async () => {
    const id = await create('part/a')
    const other = await create('part/b')
    const aborted = await create('part/a')
    await root.send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: 'part/a', UploadId: aborted }))
    const done = await create('part/a')
    await complete('part/a', done, [await part('part/a', done, 1, fill(10, 1))])
    for (const uploadId of ['not-an-upload', other, aborted, done]) {
      expect(await sdk(sendPart('part/a', uploadId, 1, fill(10, 2)))).toEqual([404, 'NoSuchUpload'])
    }
    expect(await sdk(sendPart('part/a', id, 1, fill(10, 2)))).toEqual(OK)
  })

  it('a presigned part URL binds its Content-Length, part number and upload id: 403 SignatureDoesNotMatch otherwise', async () => {
    const id = await create('part/signed')
    const other = await create('part/signed')
    const body = fill(1024, 7)
    const url = await partUrl('part/signed', id, 1, body.length)
    const withQuery = (name: string, value: string) => {
      const u = new URL(url)
      u.searchParams.set(name, value)
      return u.href
    }
    const rows: [string, Promise<Outcome>, Outcome][] = [
      ['one byte more', http(url, { method: 'PUT', body: fill(1025, 7) }), [403, 'SignatureDoesNotMatch']],
      ['one byte less', http(url, { method: 'PUT', body: fill(1023, 7) }), [403, 'SignatureDoesNotMatch']],
      ['partNumber=2', http(withQuery('partNumber', '2'), { method: 'PUT', body }), [403, 'SignatureDoesNotMatch']],
      ["another upload's uploadId", http(withQuery('uploadId', other), { method: 'PUT', body }), [403, 'SignatureDoesNotMatch']],
      ['+ unsigned x-amz-copy-source (RGW 16, 0 bytes: copies)', http(url, { method: 'PUT', body, headers: { 'x-amz-copy-source': '/mpu/part/a' } }), [403, 'AccessDenied']],
    ]
    for (const [name, res, expected] of rows) expect([name, await res]).toEqual([name, expected])
    expect((await root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'part/signed', UploadId: id }))).Parts ?? []).toEqual([])
    expect(await http(url, { method: 'PUT', body })).toEqual(OK)
  })

  it('Content-Length missing: 411 MissingContentLength; the ETag header is the quoted MD5 of the part', async () => {
    const id = await create('part/length')
    const url = await partUrl('part/length', id, 1)
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array([1, 2, 3])), c.close()) })
    expect(await http(url, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit)).toEqual([411, 'MissingContentLength'])
    const res = await fetch(url, { method: 'PUT', body: new Uint8Array([1, 2, 3]) })
    expect([res.status, res.headers.get('etag')]).toEqual([200, etagOf(new Uint8Array([1, 2, 3]))])
  })

  it.each<[string, Partial<CreateMultipartUploadCommandInput>, Record<string, string>, Outcome]>([
    ['Content-MD5 of the bytes', {}, { ContentMD5: md5(fill(64, 1), 'base64') }, OK],
    ['Content-MD5 of other bytes', {}, { ContentMD5: md5(fill(64, 2), 'base64') }, [400, 'BadDigest']],
    ['Content-MD5 that is no MD5', {}, { ContentMD5: 'bm90IGFuIG1kNQ==' }, [400, 'InvalidDigest']],
    ['SDK default CRC32 into an upload created without an algorithm', {}, {}, OK],
    ['SHA-256 of the bytes into a SHA256 upload', { ChecksumAlgorithm: 'SHA256' }, { ChecksumSHA256: sha256(fill(64, 1)) }, OK],
    ['SHA-256 of other bytes into a SHA256 upload (RGW 16: 200)', { ChecksumAlgorithm: 'SHA256' }, { ChecksumSHA256: sha256(fill(64, 2)) }, [400, 'BadDigest']],
    ['CRC32 (the SDK default) into a SHA256 upload', { ChecksumAlgorithm: 'SHA256' }, {}, [400, 'InvalidRequest']],
    ['no checksum into a COMPOSITE SHA256 upload', { ChecksumAlgorithm: 'SHA256' }, { none: '' }, [400, 'InvalidRequest']],
    ['no checksum into a FULL_OBJECT CRC32 upload (S3 computes it)', { ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }, { none: '' }, OK],
  ])('%s', async (_name, createInput, partInput, expected) => {
    const id = await create('part/digest', createInput)
    const body = fill(64, 1)
    if ('none' in partInput) {
      // A presigned URL sends no checksum header at all (the SDK's CRC32 in its query is ignored, as by AWS).
      expect(await http(await partUrl('part/digest', id, 1, body.length), { method: 'PUT', body })).toEqual(expected)
      return
    }
    expect(await sdk(root.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'part/digest', UploadId: id, PartNumber: 1, Body: body, ...partInput })))).toEqual(expected)
  })

  it('a signer without s3:PutObject on the key: 403 AccessDenied; with it: 200', async () => {
    const id = await create('part/who')
    expect(await sdk(sendPart('part/who', id, 1, fill(8, 1), as(reader)))).toEqual([403, 'AccessDenied'])
    expect(await sdk(sendPart('part/who', id, 1, fill(8, 1), as(writer)))).toEqual(OK)
  })

  it('parts count against maxBytes: a replaced part releases its old bytes, an abort or a completion releases them all', async () => {
    const c = small.client()
    const KiB = 1024
    const id = (await c.send(new CreateMultipartUploadCommand({ Bucket: 'cap', Key: 'k' }))).UploadId!
    const put = (n: number, size: number, uploadId = id) => sdk(c.send(new UploadPartCommand({ Bucket: 'cap', Key: 'k', UploadId: uploadId, PartNumber: n, Body: fill(size, n) })))
    expect(await put(1, 600 * KiB)).toEqual(OK)
    expect(await put(1, 600 * KiB)).toEqual(OK) // 1.2 MiB if the first were still counted
    expect(await put(2, 600 * KiB)).toEqual([400, 'InvalidRequest']) // past the 1 MiB cap
    expect(await put(2, 2 * MiB)).toEqual([400, 'EntityTooLarge']) // past what the server reads at all
    await c.send(new AbortMultipartUploadCommand({ Bucket: 'cap', Key: 'k', UploadId: id }))
    const next = (await c.send(new CreateMultipartUploadCommand({ Bucket: 'cap', Key: 'k' }))).UploadId!
    expect(await put(1, 900 * KiB, next)).toEqual(OK)
    // 900 KiB of part become 900 KiB of object: the completion fits, and the bytes are counted once.
    expect(await sdk(c.send(new CompleteMultipartUploadCommand({ Bucket: 'cap', Key: 'k', UploadId: next, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etagOf(fill(900 * KiB, 1)) }] } })))).toEqual(OK)
    expect(await sdk(c.send(new PutObjectCommand({ Bucket: 'cap', Key: 'other', Body: fill(200 * KiB, 0) })))).toEqual([400, 'InvalidRequest'])
    c.destroy()
  })
})

describe('UploadPartCopy', () => {
  const SOURCE = Buffer.from('0123456789', 'utf8')
  beforeAll(async () => {
    await root.send(new PutObjectCommand({ Bucket: 'mpu', Key: 'copy/source', Body: SOURCE }))
  })
  const copy = (uploadId: string, extra: { CopySourceRange?: string; CopySource?: string; CopySourceIfMatch?: string } = {}, client = root) =>
    client.send(new UploadPartCopyCommand({ Bucket: 'mpu', Key: 'copy/dest', UploadId: uploadId, PartNumber: 1, CopySource: 'mpu/copy/source', ...extra }))

  it.each<[string | undefined, Outcome, string | undefined]>([
    [undefined, OK, '0123456789'],
    ['bytes=0-0', OK, '0'],
    ['bytes=2-4', OK, '234'],
    ['bytes=0-9', OK, '0123456789'],
    ['bytes=0-10', [400, 'InvalidArgument'], undefined], // RGW 16: 416 InvalidRange
    ['bytes=5-2', [400, 'InvalidArgument'], undefined], // RGW 16: 416 InvalidRange
    ['bytes=-3', [400, 'InvalidArgument'], undefined], // RGW 16: 200, the last 3 bytes
    ['bytes=3-', [400, 'InvalidArgument'], undefined], // RGW 16: 416 InvalidRange
    ['0-3', [400, 'InvalidArgument'], undefined],
  ])('x-amz-copy-source-range %s', async (range, expected, bytes) => {
    const id = await create('copy/dest')
    expect(await sdk(copy(id, { CopySourceRange: range }))).toEqual(expected)
    const parts = (await root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'copy/dest', UploadId: id }))).Parts ?? []
    expect(parts.map((p) => p.ETag)).toEqual(bytes === undefined ? [] : [etagOf(Buffer.from(bytes))])
  })

  it.each<[string, (id: string) => Promise<unknown>, Outcome]>([
    ['a source that does not exist (the signer may list)', (id) => copy(id, { CopySource: 'mpu/copy/none' }), [404, 'NoSuchKey']],
    ['x-amz-copy-source-if-match of another ETag', (id) => copy(id, { CopySourceIfMatch: etagOf(Buffer.from('x')) }), [412, 'PreconditionFailed']],
    ['x-amz-copy-source-if-match of its ETag', (id) => copy(id, { CopySourceIfMatch: etagOf(SOURCE) }), OK],
    ['by a signer that may write the key but not read the source', (id) => copy(id, {}, as(writer)), [403, 'AccessDenied']],
    ['into an upload id of another key', async () => copy(await create('copy/elsewhere')), [404, 'NoSuchUpload']],
  ])('%s', async (_name, call, expected) => {
    expect(await sdk(call(await create('copy/dest')))).toEqual(expected)
  })

  it('answers CopyPartResult; into a SHA256 upload S3 computes the part\'s SHA-256, which completion then needs', async () => {
    const id = await create('copy/dest', { ChecksumAlgorithm: 'SHA256' })
    const out = await copy(id, { CopySourceRange: 'bytes=2-4' })
    expect(out.CopyPartResult).toMatchObject({ ETag: etagOf(Buffer.from('234')), ChecksumSHA256: sha256(Buffer.from('234')) })
    const done = await complete('copy/dest', id, [{ PartNumber: 1, ETag: out.CopyPartResult!.ETag, ChecksumSHA256: out.CopyPartResult!.ChecksumSHA256 }])
    expect(done.ETag).toMatch(/-1"$/)
    expect((await bytesOf('copy/dest')).toString()).toBe('234')
  })
})
