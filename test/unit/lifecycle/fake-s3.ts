// An in-memory bucket behind aws-sdk-client-mock, for complete(): HeadObject, ranged GetObject,
// CopyObject and DeleteObject answer from one Map, so verification sees consistent objects and
// tests can assert the exact calls. Shapes only: real S3 behaviour is proven against RGW.
import { createHash } from 'node:crypto'
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'

export interface FakeObject {
  body: Uint8Array
  contentType?: string
  /** Overrides the ETag (default: the quoted hex MD5 of the body, as for a single PUT). */
  etag?: string
  checksumSHA256?: string
}

export type FakeS3 = ReturnType<typeof fakeS3>

export function fakeS3(client: S3Client) {
  const objects = new Map<string, FakeObject>()
  const mock = mockClient(client)

  mock.on(HeadObjectCommand).callsFake(async ({ Key }: { Key: string }) => {
    const o = objects.get(Key)
    if (!o) throw new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } })
    return {
      ContentLength: o.body.length,
      ContentType: o.contentType,
      ETag: o.etag ?? `"${createHash('md5').update(o.body).digest('hex')}"`,
      ...(o.checksumSHA256 ? { ChecksumSHA256: o.checksumSHA256 } : {}),
    }
  })
  mock.on(GetObjectCommand).callsFake(async ({ Key, Range }: { Key: string; Range?: string }) => {
    const o = objects.get(Key)
    if (!o) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
    const m = Range ? /^bytes=(\d+)-(\d+)$/.exec(Range) : null
    const bytes = m ? o.body.subarray(Number(m[1]), Number(m[2]) + 1) : o.body
    return { Body: body(bytes), ContentLength: bytes.length }
  })
  mock.on(DeleteObjectCommand).callsFake(async ({ Key }: { Key: string }) => {
    objects.delete(Key)
    return {}
  })
  mock.on(CopyObjectCommand).callsFake(async ({ Bucket, Key, CopySource }: { Bucket: string; Key: string; CopySource: string }) => {
    const prefix = `${Bucket}/`
    if (!CopySource.startsWith(prefix)) throw new Error(`CopySource ${CopySource} is not in ${Bucket}`)
    const source = objects.get(decodeURIComponent(CopySource.slice(prefix.length)))
    if (!source) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
    objects.set(Key, { ...source })
    // As S3 does: the new object's ETag (a single-part copy keeps the MD5).
    return { CopyObjectResult: { ETag: source.etag ?? `"${createHash('md5').update(source.body).digest('hex')}"` } }
  })

  return {
    objects,
    mock,
    put(key: string, bytes: Uint8Array | string, contentType: string | undefined, extra: Omit<FakeObject, 'body' | 'contentType'> = {}) {
      objects.set(key, { body: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, contentType, ...extra })
    },
    /** Every call so far, as 'Command key' strings, in order. */
    ops(): string[] {
      return mock.calls().map((call) => {
        const command = call.args[0] as { constructor: { name: string }; input: { Key?: string } }
        return `${command.constructor.name.replace(/Command$/, '')} ${command.input.Key}`
      })
    },
    inputs<T>(command: abstract new (...args: never[]) => { input: T }): T[] {
      return mock.commandCalls(command as never).map((call) => (call.args[0] as { input: T }).input)
    },
  }
}

/** What the SDK's GetObject Body offers: transformToByteArray() and async iteration. */
function body(bytes: Uint8Array) {
  return {
    transformToByteArray: async () => bytes,
    async *[Symbol.asyncIterator]() {
      // Two chunks, so a digest over the stream must really iterate.
      yield bytes.subarray(0, Math.floor(bytes.length / 2))
      yield bytes.subarray(Math.floor(bytes.length / 2))
    },
  }
}
