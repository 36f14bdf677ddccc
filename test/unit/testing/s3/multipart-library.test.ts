// safe-presign's own multipart flow against the strict test S3, over real HTTP: the AWS SDK, presigned part URLs and plain
// fetch. Each row asserts the HTTP status and the S3 error code AWS documents (undefined: accepted).
// Where Ceph RGW 16 answers otherwise (test/integration/s3/multipart-peer.test.ts and a probe), the row
// says so: the test S3 follows AWS.
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, type PartGrant, type SafeUploadConfig } from '../../../../src/index.js'
import { minimalPng } from '../../../integration/s3/support.js'
import { useMultipartS3, MiB, Outcome, OK, sha256, fill, http, root, bytesOf } from './multipart-support.js'

useMultipartS3()

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
