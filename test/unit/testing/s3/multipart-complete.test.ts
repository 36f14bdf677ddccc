// CompleteMultipartUpload, AbortMultipartUpload and the two listings in the strict test S3, over real HTTP: the AWS SDK, presigned part URLs and plain
// fetch. Each row asserts the HTTP status and the S3 error code AWS documents (undefined: accepted).
// Where Ceph RGW 16 answers otherwise (test/integration/s3/multipart-peer.test.ts and a probe), the row
// says so: the test S3 follows AWS.
import { createHash } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandInput,
  type CreateMultipartUploadCommandInput,
  type S3Client,
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
  crc32,
  fill,
  sdk,
  http,
  s3,
  root,
  writer,
  reader,
  lister,
  as,
  sendCreate,
  create,
  part,
  complete,
  partUrl,
  bytesOf,
} from './multipart-support.js'

useMultipartS3()

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
