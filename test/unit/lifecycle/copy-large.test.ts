// Promotion over 5 GiB (CopyObject's limit) copies in parts. No real S3 here holds 5 GiB (RGW's memstore
// is capped at 2 GiB), so these are call shapes: the ranges tile the object exactly, each is pinned to the
// verified ETag, the type and metadata are set on creation, and a failure aborts the copy.
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import { copyInParts } from '../../../src/lifecycle/copy-large.js'
import { s3Client } from '../core/fixtures.js'
import { registerSdk } from '../../../src/_internal/s3-commands.js'
import { SDK } from '../../../src/sign/commands.js'

// These tests call the signing internals directly; the builders register the SDK's classes themselves.
registerSdk(SDK)

const GiB = 1024 ** 3
const MiB = 1024 ** 2

function setup(fail?: number) {
  const client = s3Client()
  const mock = mockClient(client)
  mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'copy-1' })
  let n = 0
  mock.on(UploadPartCopyCommand).callsFake(async () => {
    n++
    if (n === fail) throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
    return { CopyPartResult: { ETag: `"etag-${n}"` } }
  })
  mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-3"' })
  mock.on(AbortMultipartUploadCommand).resolves({})
  return { client, mock }
}

describe('copyInParts', () => {
  it('tiles the object with ranges of the upload\'s part size, each conditional on the verified ETag, then completes', async () => {
    const { client, mock } = setup()
    const size = 6 * GiB + 123
    const etag = await copyInParts({ client, bucket: 'b-1' }, { from: 'quarantine/a b.png', to: 'uploads/x.png', size, etag: '"abc-2"', contentType: 'image/png', metadata: { filename: 'a%20b.png' }, partSize: 512 * MiB })
    expect(etag).toBe('"whole-3"')
    expect(mock.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({ Bucket: 'b-1', Key: 'uploads/x.png', ContentType: 'image/png', Metadata: { filename: 'a%20b.png' } })
    const ranges = mock.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input)
    expect(ranges).toHaveLength(Math.ceil(size / (512 * MiB)))
    let next = 0
    for (const [i, r] of ranges.entries()) {
      const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(r.CopySourceRange!)!.map(Number)
      expect(start).toBe(next)
      next = end! + 1
      expect(r).toMatchObject({ PartNumber: i + 1, UploadId: 'copy-1', CopySource: 'b-1/quarantine/a%20b.png', CopySourceIfMatch: '"abc-2"' })
    }
    expect(next).toBe(size)
    expect(mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toEqual(ranges.map((_, i) => ({ PartNumber: i + 1, ETag: `"etag-${i + 1}"` })))
    expect(mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0)
  })

  it('without a part size, picks one that keeps within 10,000 parts and 5 GiB per part', async () => {
    const { client, mock } = setup()
    await copyInParts({ client, bucket: 'b-1' }, { from: 'q/a', to: 'u/a', size: 5 * 1024 * GiB, etag: undefined, contentType: 'image/png', metadata: undefined, partSize: undefined })
    const count = mock.commandCalls(UploadPartCopyCommand).length
    expect(count).toBeLessThanOrEqual(10_000)
    expect(count).toBeGreaterThan(1000)
  })

  it('a failed part (the source changed: 412) aborts the copy and reports S3_ERROR', async () => {
    const { client, mock } = setup(3)
    const error = await copyInParts({ client, bucket: 'b-1' }, { from: 'q/a', to: 'u/a', size: 6 * GiB, etag: '"v"', contentType: 'image/png', metadata: undefined, partSize: GiB }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'S3_ERROR', details: { operation: 'UploadPartCopy' } })
    expect(mock.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b-1', Key: 'u/a', UploadId: 'copy-1' }])
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0)
  })
})
