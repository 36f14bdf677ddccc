// Multipart uploads in the strict test S3, over real HTTP: the AWS SDK, presigned part URLs and plain
// fetch. Each row asserts the HTTP status and the S3 error code AWS documents (undefined: accepted).
// Where Ceph RGW 16 answers otherwise (test/integration/s3/multipart-peer.test.ts and a probe), the row
// says so: the test S3 follows AWS.
import { createHash } from 'node:crypto'
import { crc32 as zlibCrc32 } from 'node:zlib'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandInput,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, type PartGrant, type SafeUploadConfig } from '../../../../src/index.js'
import { startTestS3, type TestS3, type TestS3Principal } from '../../../../src/testing/s3/index.js'
import { minimalPng } from '../../../integration/s3/support.js'

const MiB = 1024 ** 2
type Outcome = [status: number, code: string | undefined]
const OK: Outcome = [200, undefined]

const md5 = (b: Uint8Array, enc: 'hex' | 'base64' = 'hex') => createHash('md5').update(b).digest(enc)
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64')
const etagOf = (b: Uint8Array) => `"${md5(b)}"`
/** CRC32 as S3 sends it: base64 of the big-endian value. */
const crc32 = (b: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(zlibCrc32(b))
  return out.toString('base64')
}
const fill = (n: number, byte: number) => Buffer.alloc(n, byte)

/** An SDK call as [status, S3 error code]. */
async function sdk(call: Promise<unknown>): Promise<Outcome> {
  try {
    const out = (await call) as { $metadata: { httpStatusCode?: number } }
    return [out.$metadata.httpStatusCode ?? 0, undefined]
  } catch (error) {
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } }
    if (e.$metadata === undefined) throw error
    return [e.$metadata.httpStatusCode ?? 0, e.Code ?? e.name]
  }
}
/** A plain fetch as [status, S3 error code]. */
async function http(url: string, init: RequestInit): Promise<Outcome> {
  const res = await fetch(url, init)
  const text = await res.text()
  return [res.status, res.ok ? undefined : /<Code>([^<]+)<\/Code>/.exec(text)?.[1]]
}

let s3: TestS3
let small: TestS3
let root: S3Client
let writer: TestS3Principal
let reader: TestS3Principal
let lister: TestS3Principal
let aclBound: TestS3Principal
const as = (p: TestS3Principal) => s3.client({ credentials: p })
const allow = (Action: string[], Resource: string[], Condition?: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) }] }) as never

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['mpu', 'lists', 'lib'], maxBytes: 512 * MiB })
  small = await startTestS3({ buckets: ['cap'], maxBytes: MiB })
  root = s3.client()
  writer = s3.addPrincipal({ name: 'writer', policy: allow(['s3:PutObject'], ['arn:aws:s3:::mpu/*']) })
  reader = s3.addPrincipal({ name: 'reader', policy: allow(['s3:GetObject'], ['arn:aws:s3:::mpu/*']) })
  lister = s3.addPrincipal({ name: 'lister', policy: allow(['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload', 's3:ListBucketMultipartUploads'], ['arn:aws:s3:::mpu', 'arn:aws:s3:::mpu/*']) })
  aclBound = s3.addPrincipal({ name: 'acl-bound', policy: allow(['s3:PutObject'], ['arn:aws:s3:::mpu/*'], { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } }) })
})
afterAll(async () => {
  await s3?.close()
  await small?.close()
})

const sendCreate = (key: string, input: Partial<CreateMultipartUploadCommandInput> = {}, client = root, bucket = 'mpu') =>
  client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...input }))
const sendPart = (key: string, uploadId: string, n: number, body: Uint8Array, client = root) =>
  client.send(new UploadPartCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, PartNumber: n, Body: body }))
const create = async (key: string, input: Partial<CreateMultipartUploadCommandInput> = {}, client = root): Promise<string> => (await sendCreate(key, input, client)).UploadId!
async function part(key: string, uploadId: string, n: number, body: Uint8Array, client = root): Promise<CompletedPart> {
  return { PartNumber: n, ETag: (await sendPart(key, uploadId, n, body, client)).ETag }
}
const complete = (key: string, uploadId: string, parts: CompletedPart[], extra: Partial<CompleteMultipartUploadCommandInput> = {}, client = root) =>
  client.send(new CompleteMultipartUploadCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }))
/** A presigned UploadPart URL (Content-Length signed when given). */
const partUrl = (key: string, uploadId: string, n: number, length?: number) =>
  getSignedUrl(root, new UploadPartCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, PartNumber: n, ContentLength: length }), { expiresIn: 300 })
const bytesOf = async (key: string, bucket = 'mpu') => Buffer.from(await (await root.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray())

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

describe('ListParts', () => {
  it('pages by max-parts and part-number-marker, each Part with its number, size, ETag, date and checksum', async () => {
    const id = await create('list/parts', { ChecksumAlgorithm: 'SHA256' })
    const bodies = [fill(10, 1), fill(20, 2), fill(30, 3)]
    for (const [i, body] of bodies.entries()) {
      await root.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'list/parts', UploadId: id, PartNumber: [1, 2, 5][i], Body: body, ChecksumAlgorithm: 'SHA256' }))
    }
    const page = (MaxParts?: number, PartNumberMarker?: string) => root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/parts', UploadId: id, MaxParts, PartNumberMarker }))
    const first = await page(2)
    expect([first.IsTruncated, first.NextPartNumberMarker, first.MaxParts, first.Parts?.map((p) => p.PartNumber)]).toEqual([true, '2', 2, [1, 2]])
    const rest = await page(2, first.NextPartNumberMarker)
    expect([rest.IsTruncated, rest.Parts?.map((p) => p.PartNumber)]).toEqual([false, [5]])
    expect(rest.Parts![0]).toMatchObject({ Size: 30, ETag: etagOf(bodies[2]!), ChecksumSHA256: sha256(bodies[2]!) })
    expect(rest.Parts![0]!.LastModified).toBeInstanceOf(Date)
    const all = await page()
    expect([all.MaxParts, all.Parts?.length, all.ChecksumAlgorithm, all.Initiator?.DisplayName, all.StorageClass]).toEqual([1000, 3, 'SHA256', 'root', 'STANDARD'])
  })

  it.each<[string, (id: string) => Promise<unknown>, Outcome]>([
    ['by a principal with s3:ListMultipartUploadParts', (id) => root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/who', UploadId: id })), OK],
    ['by the upload\'s own initiator without s3:ListMultipartUploadParts (RGW 16: 200)', (id) => as(writer).send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/who', UploadId: id })), [403, 'AccessDenied']],
    ['of an unknown upload id', () => as(lister).send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/who', UploadId: 'nope' })), [404, 'NoSuchUpload']],
    ['max-parts=x', (id) => root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/who', UploadId: id, MaxParts: 'x' as never })), [400, 'InvalidArgument']],
    ['part-number-marker=-1', (id) => root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'list/who', UploadId: id, PartNumberMarker: '-1' })), [400, 'InvalidArgument']],
  ])('%s', async (_name, call, expected) => {
    expect(await sdk(call(await create('list/who', {}, as(writer))))).toEqual(expected)
  })
})

describe('CompleteMultipartUpload', () => {
  const FIRST = fill(5 * MiB, 0x61)
  const LAST = fill(1024, 0x62)
  /** An upload of `key` with part 1 (5 MiB) and part 2 (1 KiB) uploaded. */
  async function twoParts(key: string, input: Partial<CreateMultipartUploadCommandInput> = {}) {
    const id = await create(key, input)
    const sha = input.ChecksumAlgorithm === 'SHA256'
    const up = async (n: number, body: Buffer) => {
      const out = await root.send(new UploadPartCommand({ Bucket: 'mpu', Key: key, UploadId: id, PartNumber: n, Body: body, ...(sha ? { ChecksumAlgorithm: 'SHA256' } : {}) }))
      return { PartNumber: n, ETag: out.ETag, ...(sha ? { ChecksumSHA256: out.ChecksumSHA256 } : {}) } as CompletedPart
    }
    return { id, parts: [await up(1, FIRST), await up(2, LAST)] }
  }
  const unquoted = (p: CompletedPart): CompletedPart => ({ ...p, ETag: p.ETag!.replaceAll('"', '') })

  it('assembles the parts: their bytes in order, the multipart ETag, the parts for GET ?partNumber=, the type and metadata of the create', async () => {
    const { id, parts } = await twoParts('done/ok', { ContentType: 'image/png', Metadata: { origin: 'test' }, CacheControl: 'no-store' })
    const out = await complete('done/ok', id, parts)
    const expected = `"${md5(Buffer.concat([Buffer.from(md5(FIRST), 'hex'), Buffer.from(md5(LAST), 'hex')]))}-2"`
    expect([out.ETag, out.Bucket, out.Key, out.Location]).toEqual([expected, 'mpu', 'done/ok', `${s3.endpoint}/mpu/done/ok`])
    expect((await bytesOf('done/ok')).equals(Buffer.concat([FIRST, LAST]))).toBe(true)
    const head = await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/ok', PartNumber: 2 }))
    expect([head.ContentLength, head.PartsCount, head.ETag, head.ContentType, head.Metadata, head.CacheControl]).toEqual([1024, 2, expected, 'image/png', { origin: 'test' }, 'no-store'])
    expect((await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/ok' }))).ContentLength).toBe(5 * MiB + 1024)
  })

  it('the type defaults to binary/octet-stream; a completed upload is gone: its part URL, ListParts, Complete and Abort are 404 NoSuchUpload', async () => {
    const { id, parts } = await twoParts('done/gone')
    const url = await partUrl('done/gone', id, 2, LAST.length)
    await complete('done/gone', id, parts)
    expect((await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/gone' }))).ContentType).toBe('binary/octet-stream')
    expect(await http(url, { method: 'PUT', body: LAST })).toEqual([404, 'NoSuchUpload'])
    expect(await sdk(root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'done/gone', UploadId: id })))).toEqual([404, 'NoSuchUpload'])
    expect(await sdk(complete('done/gone', id, parts))).toEqual([404, 'NoSuchUpload'])
    expect(await sdk(root.send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: 'done/gone', UploadId: id })))).toEqual([404, 'NoSuchUpload'])
  })

  type Row = [string, Partial<CreateMultipartUploadCommandInput>, (p: CompletedPart[]) => CompletedPart[], Partial<CompleteMultipartUploadCommandInput>, Outcome]
  it.each<Row>([
    ['parts 1, 2 as uploaded', {}, (p) => p, {}, OK],
    ['ETags without their quotes', {}, (p) => p.map(unquoted), {}, OK],
    ['no parts listed', {}, () => [], {}, [400, 'MalformedXML']],
    ['parts listed 2, 1 (RGW 16: 200)', {}, (p) => [p[1]!, p[0]!], {}, [400, 'InvalidPartOrder']],
    ['part 1 listed twice (RGW 16: InvalidPart)', {}, (p) => [p[0]!, p[0]!], {}, [400, 'InvalidPartOrder']],
    ['part 0', {}, (p) => [{ ...p[0]!, PartNumber: 0 }], {}, [400, 'InvalidArgument']],
    ['part 3, never uploaded', {}, (p) => [p[0]!, { ...p[1]!, PartNumber: 3 }], {}, [400, 'InvalidPart']],
    ['part 2 with part 1\'s ETag', {}, (p) => [p[0]!, { ...p[1]!, ETag: p[0]!.ETag }], {}, [400, 'InvalidPart']],
    ['only part 2 (the last may be small)', {}, (p) => [p[1]!], {}, OK],
    ['x-amz-mp-object-size one byte too many (RGW 16: 200)', {}, (p) => p, { MpuObjectSize: 5 * MiB + 1025 }, [400, 'InvalidRequest']],
    ['x-amz-mp-object-size exact', {}, (p) => p, { MpuObjectSize: 5 * MiB + 1024 }, OK],
    ['SHA256 upload, each part\'s checksum listed', { ChecksumAlgorithm: 'SHA256' }, (p) => p, {}, OK],
    ['SHA256 upload, part 2\'s checksum not listed', { ChecksumAlgorithm: 'SHA256' }, (p) => [p[0]!, { PartNumber: 2, ETag: p[1]!.ETag }], {}, [400, 'InvalidRequest']],
    ['SHA256 upload, part 2 listed with part 1\'s checksum', { ChecksumAlgorithm: 'SHA256' }, (p) => [p[0]!, { ...p[1]!, ChecksumSHA256: p[0]!.ChecksumSHA256 }], {}, [400, 'InvalidPart']],
    ['SHA256 upload, the object\'s checksum header of other bytes', { ChecksumAlgorithm: 'SHA256' }, (p) => p, { ChecksumSHA256: sha256(LAST) }, [400, 'BadDigest']],
    ['SHA256 upload, x-amz-checksum-type FULL_OBJECT', { ChecksumAlgorithm: 'SHA256' }, (p) => p, { ChecksumType: 'FULL_OBJECT' }, [400, 'BadDigest']],
    ['SHA256 upload, x-amz-checksum-type COMPOSITE', { ChecksumAlgorithm: 'SHA256' }, (p) => p, { ChecksumType: 'COMPOSITE' }, OK],
  ])('%s', async (_name, input, list, extra, expected) => {
    const { id, parts } = await twoParts('done/table', input)
    expect(await sdk(complete('done/table', id, list(parts), extra))).toEqual(expected)
    // A refusal changes nothing: the upload is still there, and completes as listed.
    if (expected[0] !== 200) expect(await sdk(complete('done/table', id, parts))).toEqual(OK)
  })

  it('every part but the last must be 5 MiB: 1 KiB then 1 KiB is 400 EntityTooSmall', async () => {
    const id = await create('done/small')
    const parts = [await part('done/small', id, 1, LAST), await part('done/small', id, 2, LAST)]
    expect(await sdk(complete('done/small', id, parts))).toEqual([400, 'EntityTooSmall'])
    expect(await sdk(complete('done/small', id, [parts[1]!]))).toEqual(OK)
  })

  it('a SHA256 upload completes with a composite checksum: SHA-256 of the parts\' SHA-256s, "-2", also on HEAD', async () => {
    const { id, parts } = await twoParts('done/sha', { ChecksumAlgorithm: 'SHA256' })
    const composite = `${createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p.ChecksumSHA256!, 'base64')))).digest('base64')}-2`
    const out = await complete('done/sha', id, parts, { ChecksumSHA256: composite })
    expect([out.ChecksumSHA256, out.ChecksumType]).toEqual([composite, 'COMPOSITE'])
    expect((await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/sha', ChecksumMode: 'ENABLED' }))).ChecksumSHA256).toBe(composite)
  })

  it('a FULL_OBJECT CRC32 upload: parts need no checksum (S3 computes it), the object\'s CRC32 is of all its bytes', async () => {
    const id = await create('done/full', { ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' })
    const first = await root.send(new UploadPartCommand({ Bucket: 'mpu', Key: 'done/full', UploadId: id, PartNumber: 1, Body: FIRST, ChecksumCRC32: crc32(FIRST) }))
    expect(first.ChecksumCRC32).toBe(crc32(FIRST))
    expect(await http(await partUrl('done/full', id, 2, LAST.length), { method: 'PUT', body: LAST })).toEqual(OK)
    const listed = await root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'done/full', UploadId: id }))
    expect(listed.Parts?.map((p) => p.ChecksumCRC32)).toEqual([crc32(FIRST), crc32(LAST)])
    const whole = crc32(Buffer.concat([FIRST, LAST]))
    expect(await sdk(complete('done/full', id, [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: etagOf(LAST) }], { ChecksumCRC32: crc32(LAST) }))).toEqual([400, 'BadDigest'])
    const out = await complete('done/full', id, [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: etagOf(LAST) }], { ChecksumCRC32: whole, ChecksumType: 'FULL_OBJECT' })
    expect([out.ChecksumCRC32, out.ChecksumType]).toEqual([whole, 'FULL_OBJECT'])
  })

  it.each<[string, () => Promise<Partial<CompleteMultipartUploadCommandInput>>, Outcome]>([
    ['If-None-Match: * on an existing key (RGW 16: 200, the object replaced)', async () => ({ IfNoneMatch: '*' }), [412, 'PreconditionFailed']],
    ['If-Match of the existing ETag', async () => ({ IfMatch: (await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/cond' }))).ETag }), OK],
    ['If-Match of another ETag', async () => ({ IfMatch: etagOf(LAST) }), [412, 'PreconditionFailed']],
  ])('%s', async (_name, extra, expected) => {
    await root.send(new PutObjectCommand({ Bucket: 'mpu', Key: 'done/cond', Body: 'first' }))
    const { id, parts } = await twoParts('done/cond')
    expect(await sdk(complete('done/cond', id, parts, await extra()))).toEqual(expected)
    expect((await bytesOf('done/cond')).length).toBe(expected[0] === 200 ? 5 * MiB + 1024 : 5)
  })

  it('If-None-Match: * on a new key is 200; If-Match on a missing key is 404 NoSuchKey', async () => {
    const fresh = await twoParts('done/fresh')
    expect(await sdk(complete('done/fresh', fresh.id, fresh.parts, { IfNoneMatch: '*' }))).toEqual(OK)
    const missing = await twoParts('done/missing')
    expect(await sdk(complete('done/missing', missing.id, missing.parts, { IfMatch: etagOf(LAST) }))).toEqual([404, 'NoSuchKey'])
  })

  it('parts not listed are discarded: the object is parts 1 and 3 only', async () => {
    const id = await create('done/skip')
    const parts = [await part('done/skip', id, 1, FIRST), await part('done/skip', id, 2, fill(5 * MiB, 0x7a)), await part('done/skip', id, 3, LAST)]
    await complete('done/skip', id, [parts[0]!, parts[2]!])
    expect((await bytesOf('done/skip')).equals(Buffer.concat([FIRST, LAST]))).toBe(true)
    expect((await root.send(new HeadObjectCommand({ Bucket: 'mpu', Key: 'done/skip', PartNumber: 1 }))).PartsCount).toBe(2)
  })

  it('a signer without s3:PutObject on the key: 403 AccessDenied', async () => {
    const { id, parts } = await twoParts('done/who')
    expect(await sdk(complete('done/who', id, parts, {}, as(reader)))).toEqual([403, 'AccessDenied'])
    expect(await sdk(complete('done/who', id, parts, {}, as(writer)))).toEqual(OK)
  })
})

describe('AbortMultipartUpload', () => {
  it.each<[string, () => S3Client, boolean, Outcome]>([
    ['by the bucket owner', () => root, true, [204, undefined]],
    ['by a principal with s3:AbortMultipartUpload', () => as(lister), true, [204, undefined]],
    ['by its initiator with only s3:PutObject', () => as(writer), true, [403, 'AccessDenied']],
    ['of an unknown upload id', () => root, false, [404, 'NoSuchUpload']],
  ])('%s', async (_name, client, known, expected) => {
    const id = await create('abort/a', {}, as(writer))
    expect(await sdk(client().send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: 'abort/a', UploadId: known ? id : 'not-an-upload' })))).toEqual(expected)
    const gone = expected[0] === 204
    expect(await sdk(root.send(new ListPartsCommand({ Bucket: 'mpu', Key: 'abort/a', UploadId: id })))).toEqual(gone ? [404, 'NoSuchUpload'] : OK)
    if (gone) expect(await sdk(root.send(new AbortMultipartUploadCommand({ Bucket: 'mpu', Key: 'abort/a', UploadId: id })))).toEqual([404, 'NoSuchUpload'])
  })
})

describe('ListMultipartUploads', () => {
  const KEYS = ['a/1', 'a/2', 'b/1', 'c', 'c', 'd/x/1']
  const ids: string[] = []
  beforeAll(async () => {
    for (const key of KEYS) ids.push((await sendCreate(key, {}, root, 'lists')).UploadId!)
  })
  const list = (input: { Prefix?: string; Delimiter?: string; KeyMarker?: string; UploadIdMarker?: string; MaxUploads?: number } = {}, client = root) =>
    client.send(new ListMultipartUploadsCommand({ Bucket: 'lists', ...input }))
  const keysOf = (out: { Uploads?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] }) => [...(out.Uploads ?? []).map((u) => u.Key), ...(out.CommonPrefixes ?? []).map((p) => `${p.Prefix}…`)]

  it.each<[string, Parameters<typeof list>[0], string[]]>([
    ['everything, by key then by initiation', {}, ['a/1', 'a/2', 'b/1', 'c', 'c', 'd/x/1']],
    ['prefix a/', { Prefix: 'a/' }, ['a/1', 'a/2']],
    ['delimiter /', { Delimiter: '/' }, ['c', 'c', 'a/…', 'b/…', 'd/…']],
    ['prefix d/ and delimiter /', { Prefix: 'd/', Delimiter: '/' }, ['d/x/…']],
    ['key-marker b/1 (keys after it)', { KeyMarker: 'b/1' }, ['c', 'c', 'd/x/1']],
    ['upload-id-marker without key-marker (ignored)', { UploadIdMarker: 'zzz' }, ['a/1', 'a/2', 'b/1', 'c', 'c', 'd/x/1']],
  ])('%s', async (_name, input, expected) => {
    expect(keysOf(await list(input))).toEqual(expected)
  })

  it('the two uploads of one key are listed in the order they were started, each with its id, initiator and date', async () => {
    const out = await list({ Prefix: 'c' })
    expect(out.Uploads?.map((u) => u.UploadId)).toEqual([ids[3], ids[4]])
    expect(out.Uploads![0]).toMatchObject({ Initiator: { DisplayName: 'root' }, StorageClass: 'STANDARD' })
    expect(out.Uploads![0]!.Initiated).toBeInstanceOf(Date)
  })

  it.each<[string, Parameters<typeof list>[0]]>([['max-uploads 2', { MaxUploads: 2 }], ['max-uploads 1 with delimiter /', { MaxUploads: 1, Delimiter: '/' }]])(
    'pages (%s) by NextKeyMarker and NextUploadIdMarker to every entry exactly once',
    async (_name, input) => {
      const seen: (string | undefined)[] = []
      let markers: { KeyMarker?: string; UploadIdMarker?: string } = {}
      for (let page = 0; page < 10; page++) {
        const out = await list({ ...input, ...markers })
        seen.push(...(out.Uploads ?? []).map((u) => u.UploadId!), ...keysOf({ CommonPrefixes: out.CommonPrefixes }))
        expect((out.Uploads?.length ?? 0) + (out.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(input!.MaxUploads!)
        if (!out.IsTruncated) break
        markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker }
      }
      expect(seen).toEqual(input!.Delimiter ? ['a/…', 'b/…', ids[3], ids[4], 'd/…'] : ids)
    },
  )

  it.each<[string, () => Promise<unknown>, Outcome]>([
    ['by a principal with s3:ListBucketMultipartUploads on the bucket', () => as(lister).send(new ListMultipartUploadsCommand({ Bucket: 'mpu' })), OK],
    ['by a principal without it (RGW 16: 403 too)', () => as(writer).send(new ListMultipartUploadsCommand({ Bucket: 'mpu' })), [403, 'AccessDenied']],
    ['max-uploads=x', () => list({ MaxUploads: 'x' as never }), [400, 'InvalidArgument']],
    ['encoding-type=base64', () => root.send(new ListMultipartUploadsCommand({ Bucket: 'lists', EncodingType: 'base64' as never })), [400, 'InvalidArgument']],
    ['in a bucket that does not exist', () => root.send(new ListMultipartUploadsCommand({ Bucket: 'no-such-bucket' })), [404, 'NoSuchBucket']],
  ])('%s', async (_name, call, expected) => {
    expect(await sdk(call())).toEqual(expected)
  })
})

describe("safe-presign's own multipart flow, end to end against the test S3", () => {
  const store = memoryStore()
  /** 11 MiB that sniff as PNG: a real PNG, then filler. */
  const BODY = Buffer.concat([minimalPng(8), fill(11 * MiB - minimalPng(8).length, 0x5a)])
  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client: root, bucket: 'lib', store, allowedContentTypes: ['image/png'], maxSize: 64 * MiB, multipart: { partSize: 5 * MiB }, ...extra })
  const slice = (n: number) => BODY.subarray((n - 1) * 5 * MiB, Math.min(n * 5 * MiB, BODY.length))
  /** A browser-like PUT: the grant's headers but Content-Length, which fetch sets from the body. */
  const put = (grant: PartGrant, body: Uint8Array, url = grant.url, headers: Record<string, string> = {}) => {
    const sent = { ...grant.headers, ...headers }
    delete sent['content-length']
    return http(url, { method: 'PUT', headers: sent, body })
  }
  async function start(extra: Partial<SafeUploadConfig> = {}) {
    const up = uploads(extra)
    const upload = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length, filename: 'scan.png' })
    const ref = { key: upload.key, uploadId: upload.uploadId, owner: 'alice' }
    const parts = [1, 2, 3].map((partNumber) => ({ partNumber, ...(extra.checksum === 'sha256' ? { checksum: sha256(slice(partNumber)) } : {}) }))
    return { up, upload, ref, grants: await up.signParts({ ...ref, parts }) }
  }
  const withQuery = (href: string, name: string, value: string) => {
    const url = new URL(href)
    url.searchParams.set(name, value)
    return url.href
  }

  it('createMultipart → signParts → 3 PUTs with fetch → completeMultipart: committed, the bytes intact, a replayed part URL 404 NoSuchUpload', async () => {
    const { up, upload, ref, grants } = await start()
    expect([upload.partCount, grants.map((g) => g.headers['content-length'])]).toEqual([3, [String(5 * MiB), String(5 * MiB), String(MiB)]])
    for (const g of grants) expect(await put(g, slice(g.partNumber))).toEqual(OK)
    expect(await up.completeMultipart(ref)).toMatchObject({ key: upload.key, state: 'committed', size: BODY.length, sniffedType: 'image/png' })
    expect((await bytesOf(upload.key, 'lib')).equals(BODY)).toBe(true)
    expect(await put(grants[0]!, slice(1))).toEqual([404, 'NoSuchUpload'])
    expect((await bytesOf(upload.key, 'lib')).equals(BODY)).toBe(true)
  })

  it('a part URL refuses one byte more or less, another part number and another upload id: 403 SignatureDoesNotMatch, nothing stored', async () => {
    const { up, ref, grants } = await start()
    const other = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: BODY.length })
    const rows: [string, Promise<Outcome>][] = [
      ['one byte more', put(grants[0]!, Buffer.concat([slice(1), Buffer.from([0])]))],
      ['one byte less', put(grants[0]!, slice(1).subarray(1))],
      ['partNumber=2', put(grants[0]!, slice(1), withQuery(grants[0]!.url, 'partNumber', '2'))],
      ["another upload's uploadId", put(grants[0]!, slice(1), withQuery(grants[0]!.url, 'uploadId', other.uploadId))],
    ]
    for (const [name, res] of rows) expect([name, await res]).toEqual([name, [403, 'SignatureDoesNotMatch']])
    expect((await up.listParts(ref)).parts).toEqual([])
  })

  it("checksum 'sha256': other bytes of the same length under the signed x-amz-checksum-sha256 are 400 BadDigest; the header changed to match them 403; honest parts commit with a composite checksum", async () => {
    const { up, upload, ref, grants } = await start({ checksum: 'sha256' })
    expect(new URL(grants[0]!.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-checksum-sha256')
    const forged = Buffer.from(slice(1))
    forged[100] = forged[100]! ^ 0xff
    expect(await put(grants[0]!, forged)).toEqual([400, 'BadDigest'])
    expect(await put(grants[0]!, forged, grants[0]!.url, { 'x-amz-checksum-sha256': sha256(forged) })).toEqual([403, 'SignatureDoesNotMatch'])
    expect((await up.listParts(ref)).parts).toEqual([])
    for (const g of grants) expect(await put(g, slice(g.partNumber))).toEqual(OK)
    expect(await up.completeMultipart(ref)).toMatchObject({ state: 'committed', size: BODY.length })
    const head = await root.send(new HeadObjectCommand({ Bucket: 'lib', Key: upload.key, ChecksumMode: 'ENABLED' }))
    expect(head.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=-3$/)
  })

  it('completeMultipart with part 3 missing: UPLOAD_MISSING, and the upload aborted in the test S3', async () => {
    const { up, upload, ref, grants } = await start()
    for (const g of grants.slice(0, 2)) expect(await put(g, slice(g.partNumber))).toEqual(OK)
    await expect(up.completeMultipart(ref)).rejects.toMatchObject({ code: 'UPLOAD_MISSING' })
    const listed = await root.send(new ListMultipartUploadsCommand({ Bucket: 'lib' }))
    expect((listed.Uploads ?? []).map((u) => u.UploadId)).not.toContain(upload.uploadId)
    expect(await put(grants[2]!, slice(3))).toEqual([404, 'NoSuchUpload'])
  })
})
