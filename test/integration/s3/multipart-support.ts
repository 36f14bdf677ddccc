// Helpers for multipart-peer.test.ts (not a test file: vitest only collects *.test.ts): presigned
// UploadPart URLs made by the raw SDK, SDK calls recorded as status + S3 error code, and cleanup of
// multipart uploads that the bucket owner may not be allowed to abort.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand, type CreateMultipartUploadCommandInput, type S3Client, type UploadPartCommandInput } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { Peer } from '../../helpers/peers.js'
import { httpRequest, type HttpResult } from '../../helpers/rgw.js'

/** RGW's default minimum size of every part but the last (rgw_multipart_min_part_size). */
export const MIN_PART = 5 * 1024 * 1024
export const bytes = (n: number): Buffer => randomBytes(n)
export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64')
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('base64')
/** The ETag S3 gives a part or a single PUT: the quoted hex MD5 of its bytes. */
export const etagOf = (b: Buffer): string => `"${createHash('md5').update(b).digest('hex')}"`

/** An SDK call's outcome in the shape table.http records: the HTTP status and the S3 error code. */
export async function sdk<T>(call: () => Promise<T>): Promise<HttpResult & { output?: T }> {
  try {
    const output = await call()
    const stream = (output as { Body?: { transformToByteArray(): Promise<Uint8Array> } }).Body
    const body = stream ? Buffer.from(await stream.transformToByteArray()) : Buffer.alloc(0)
    return { status: (output as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0, headers: {}, body, output }
  } catch (error) {
    const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } }
    if (e.$metadata === undefined) throw error
    // A HEAD error has no body: the SDK names it 'Unknown' (or NotFound); there is no S3 code to record.
    const code = e.Code ?? (e.name === 'Unknown' || e.name === 'NotFound' ? undefined : e.name)
    return { status: e.$metadata.httpStatusCode ?? 0, headers: {}, body: Buffer.alloc(0), code, message: e.message }
  }
}

export interface PartUrl {
  url: string
  /** X-Amz-SignedHeaders of the URL. */
  signed: string[]
  /** The signed headers (other than host and content-length) a client must send with the body. */
  headers: Record<string, string>
}

/**
 * A presigned UploadPart URL from getSignedUrl. x-amz-checksum-sha256 stays a header (unhoistable), so
 * it is signed and must be sent; Content-MD5 is never hoisted. `acl` adds a signed x-amz-acl header
 * (UploadPart has no ACL input; a build-step middleware sets it before the presigner signs).
 */
export async function partUrl(signer: S3Client, input: UploadPartCommandInput & { ContentLength: number }, acl?: string): Promise<PartUrl> {
  const command = new UploadPartCommand(input)
  if (acl !== undefined) {
    command.middlewareStack.add(
      (next) => (args) => {
        ;(args.request as { headers: Record<string, string> }).headers['x-amz-acl'] = acl
        return next(args)
      },
      { step: 'build', name: 'signedAclHeader' },
    )
  }
  const url = await getSignedUrl(signer, command, { expiresIn: 300, unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'x-amz-acl']) })
  const signed = new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? []
  const headers: Record<string, string> = {}
  if (acl !== undefined) headers['x-amz-acl'] = acl
  if (input.ContentMD5 !== undefined) headers['content-md5'] = input.ContentMD5
  if (input.ChecksumSHA256 !== undefined) headers['x-amz-checksum-sha256'] = input.ChecksumSHA256
  return { url, signed, headers }
}

/** PUTs `body` to the part URL with its signed headers (fetch sets Content-Length from the body). */
export const sendPart = (part: PartUrl, body: Buffer, extra: Record<string, string> = {}, url = part.url): Promise<HttpResult> =>
  httpRequest(url, { method: 'PUT', headers: { ...part.headers, ...extra }, body })

/** The URL with one query parameter replaced. */
export function withQuery(href: string, name: string, value: string): string {
  const url = new URL(href)
  url.searchParams.set(name, value)
  return url.href
}

/** Multipart uploads a test created, so afterAll can abort them with whichever client may. */
export class Uploads {
  private readonly open: { bucket: string; key: string; uploadId: string; clients: S3Client[] }[] = []

  /** CreateMultipartUpload as an outcome (status, code) plus the UploadId when it succeeded. */
  async attempt(client: S3Client, input: CreateMultipartUploadCommandInput): Promise<HttpResult & { uploadId?: string }> {
    const res = await sdk(() => client.send(new CreateMultipartUploadCommand(input)))
    const uploadId = res.output?.UploadId
    if (uploadId) this.open.push({ bucket: input.Bucket!, key: input.Key!, uploadId, clients: [client] })
    return { ...res, uploadId }
  }

  /** CreateMultipartUpload that must succeed; returns the UploadId. */
  async create(client: S3Client, input: CreateMultipartUploadCommandInput): Promise<string> {
    const res = await this.attempt(client, input)
    if (!res.uploadId) throw new Error(`CreateMultipartUpload ${input.Key}: ${res.status} ${res.code ?? ''}`)
    return res.uploadId
  }

  /** Aborts every upload still listed (completed and aborted ones are gone; errors are ignored). */
  async abortAll(owner: S3Client): Promise<void> {
    for (const u of this.open) {
      for (const client of [owner, ...u.clients]) {
        const ok = await client.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: u.uploadId })).then(() => true, () => false)
        if (ok) break
      }
    }
    this.open.length = 0
  }
}

/** True when `uploadId` is listed by ListMultipartUploads under `prefix`. */
export async function listed(client: S3Client, bucket: string, prefix: string, uploadId: string): Promise<boolean> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))
  return (out.Uploads ?? []).some((u) => u.UploadId === uploadId)
}

/** peer.removeBucket, and when RGW refuses (an upload nobody may abort), `radosgw-admin bucket rm --purge-objects`. */
export async function removeAll(peer: Peer, client: S3Client, bucket: string): Promise<void> {
  const error = await peer.removeBucket(client, bucket).then(() => undefined, (e: unknown) => e)
  if (error === undefined) return
  const cluster = peer.rgw?.cluster
  if (!cluster) throw error
  console.warn(`removeBucket ${bucket} failed (${String(error)}); purging it with radosgw-admin`)
  const out = spawnSync('radosgw-admin', ['-c', join(cluster, 'ceph.conf'), 'bucket', 'rm', `--bucket=${bucket}`, '--purge-objects'], { encoding: 'utf8', timeout: 60_000 })
  if (out.status !== 0) throw new Error(`radosgw-admin bucket rm ${bucket} failed (${out.status}): ${out.stderr.trim().slice(-300)}`)
}
