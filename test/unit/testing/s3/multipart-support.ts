// Shared by the multipart tests of the test S3: the servers, principals and helpers they drive it with.
import { createHash } from 'node:crypto'
import { crc32 as zlibCrc32 } from 'node:zlib'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandInput,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll } from 'vitest'
import { startTestS3, type TestS3, type TestS3Principal } from '../../../../src/testing/s3/index.js'

export const MiB = 1024 ** 2
export type Outcome = [status: number, code: string | undefined]
export const OK: Outcome = [200, undefined]

export const md5 = (b: Uint8Array, enc: 'hex' | 'base64' = 'hex') => createHash('md5').update(b).digest(enc)
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64')
export const etagOf = (b: Uint8Array) => `"${md5(b)}"`
/** CRC32 as S3 sends it: base64 of the big-endian value. */
export const crc32 = (b: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(zlibCrc32(b))
  return out.toString('base64')
}
export const fill = (n: number, byte: number) => Buffer.alloc(n, byte)

/** An SDK call as [status, S3 error code]. */
export async function sdk(call: Promise<unknown>): Promise<Outcome> {
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
export async function http(url: string, init: RequestInit): Promise<Outcome> {
  const res = await fetch(url, init)
  const text = await res.text()
  return [res.status, res.ok ? undefined : /<Code>([^<]+)<\/Code>/.exec(text)?.[1]]
}

export let s3: TestS3
export let small: TestS3
export let root: S3Client
export let writer: TestS3Principal
export let reader: TestS3Principal
export let lister: TestS3Principal
export let aclBound: TestS3Principal
export const as = (p: TestS3Principal) => s3.client({ credentials: p })
export const allow = (Action: string[], Resource: string[], Condition?: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) }] }) as never

/** Starts the two servers and the principals for the calling test file, and closes them after it. */
export function useMultipartS3(): void {
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
}

export const sendCreate = (key: string, input: Partial<CreateMultipartUploadCommandInput> = {}, client = root, bucket = 'mpu') =>
  client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...input }))
export const sendPart = (key: string, uploadId: string, n: number, body: Uint8Array, client = root) =>
  client.send(new UploadPartCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, PartNumber: n, Body: body }))
export const create = async (key: string, input: Partial<CreateMultipartUploadCommandInput> = {}, client = root): Promise<string> => (await sendCreate(key, input, client)).UploadId!
export async function part(key: string, uploadId: string, n: number, body: Uint8Array, client = root): Promise<CompletedPart> {
  return { PartNumber: n, ETag: (await sendPart(key, uploadId, n, body, client)).ETag }
}
export const complete = (key: string, uploadId: string, parts: CompletedPart[], extra: Partial<CompleteMultipartUploadCommandInput> = {}, client = root) =>
  client.send(new CompleteMultipartUploadCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }))
/** A presigned UploadPart URL (Content-Length signed when given). */
export const partUrl = (key: string, uploadId: string, n: number, length?: number) =>
  getSignedUrl(root, new UploadPartCommand({ Bucket: 'mpu', Key: key, UploadId: uploadId, PartNumber: n, ContentLength: length }), { expiresIn: 300 })
export const bytesOf = async (key: string, bucket = 'mpu') => Buffer.from(await (await root.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray())
